//! The provider's spans from real dbt runs: failed checks are counted on `Ok` spans; a run
//! that cannot happen is an error; nothing secret is recorded.

use floe_core::plugin::categories::{QualityProvider as _, QualitySuite};
use floe_core::plugin::{HealthStatus, Lifecycle as _};
use floe_core::telemetry::{attr, describe_error};
use floe_dbt::DbtError;
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::peers::DbtProject;
use floe_otel_testkit::{Capture, expect};
use floe_quality_dbt::telemetry::TRACER_NAME;
use floe_quality_dbt::{DbtQualityProvider, QualityDbtError};

use crate::peer;
use crate::scenario::scenario;

mod failures;

#[test]
fn failed_checks_leave_run_checks_and_run_suite_ok_with_the_counts() {
    let recorded = &scenario().two_suites;
    recorded.result.as_ref().unwrap();
    recorded.spans.assert_one(
        expect::span("quality.run_checks")
            .root()
            .scope(TRACER_NAME)
            .floe_attributes()
            .ok()
            .attr(attr::QUALITY_PROVIDER, "dbt")
            .attr(attr::QUALITY_SUITES_COUNT, 2_i64)
            .attr(attr::QUALITY_CHECKS_COUNT, 7_i64)
            .attr(attr::QUALITY_PASS_COUNT, 6_i64)
            .attr(attr::QUALITY_FAIL_COUNT, 1_i64)
            .attr(attr::QUALITY_ROWS_CHECKED, 10_i64),
    );
    recorded.spans.assert_one(
        expect::span("quality.run_suite")
            .parent("quality.run_checks")
            .ok()
            .attr(attr::QUALITY_SUITE_NAME, "orders")
            .attr(attr::QUALITY_CHECKS_COUNT, 4_i64)
            .attr(attr::QUALITY_PASS_COUNT, 3_i64)
            .attr(attr::QUALITY_FAIL_COUNT, 1_i64)
            .attr(attr::QUALITY_ROWS_CHECKED, 6_i64)
            .event(
                expect::event("quality.check")
                    .attr(attr::QUALITY_CHECK_NAME, "amount_below_100")
                    .attr(attr::QUALITY_CHECK_PASSED, false)
                    .attr(attr::QUALITY_FAILING_ROWS, 2_i64),
            )
            .event(
                expect::event("quality.check")
                    .attr(attr::QUALITY_CHECK_NAME, "order_id_unique")
                    .attr(attr::QUALITY_CHECK_PASSED, true),
            ),
    );
    recorded.spans.assert_one(
        expect::span("quality.run_suite")
            .attr(attr::QUALITY_SUITE_NAME, "customers")
            .ok()
            .attr(attr::QUALITY_ROWS_CHECKED, 4_i64),
    );
    recorded.spans.assert_conforms();
}

#[test]
fn each_suite_runs_dbt_test_and_a_row_count_under_its_span() {
    let recorded = &scenario().two_suites;
    recorded.spans.assert_tree(
        expect::tree(expect::span("quality.run_checks"))
            .child(expect::tree(
                expect::span("quality.validate_expectations")
                    .ok()
                    .attr(attr::QUALITY_SUITE_NAME, "orders"),
            ))
            .child(expect::tree(
                expect::span("quality.validate_expectations")
                    .ok()
                    .attr(attr::QUALITY_SUITE_NAME, "customers"),
            ))
            .child(
                expect::tree(
                    expect::span("quality.run_suite").attr(attr::QUALITY_SUITE_NAME, "orders"),
                )
                .child(
                    // Failing tests are results: the command and the failing node end Ok.
                    expect::tree(
                        expect::span("dbt.run_command")
                            .ok()
                            .attr(attr::DBT_COMMAND, "test")
                            .attr(attr::DBT_FAILURES, 1_i64),
                    )
                    .child(expect::tree(
                        expect::span("dbt.node")
                            .ok()
                            .attr(attr::DBT_NODE_STATUS, "fail")
                            .attr_contains(
                                attr::DBT_NODE_UNIQUE_ID,
                                "stg_orders_amount_below_100_fails_on_purpose",
                            ),
                    )),
                )
                .child(expect::tree(
                    expect::span("dbt.run_command").ok().attr(attr::DBT_COMMAND, "show"),
                ))
                .in_order()
                .exact(),
            )
            .child(expect::tree(
                expect::span("quality.run_suite").attr(attr::QUALITY_SUITE_NAME, "customers"),
            ))
            .in_order()
            .exact(),
    );
    // Neither the row-count query nor the `--vars` reach a span.
    let rendered = recorded.spans.render();
    assert!(!rendered.contains("count(*)"), "{rendered}");
    assert!(!rendered.contains("floe_fail_on_purpose: true"), "{rendered}");
}

#[test]
fn a_run_that_cannot_connect_is_an_error_without_the_password() {
    let scenario = scenario();
    let recorded = &scenario.broken_profile;
    let err = recorded.result.as_ref().unwrap_err();
    assert!(matches!(err, QualityDbtError::Dbt(DbtError::Failed { .. })), "{err:?}");
    let text = describe_error(err).into_string();
    assert!(text.starts_with("dbt test failed (exit status 2): "), "{text}");
    assert!(text.contains("Cannot open file"), "{text}");
    assert_text_clean("error", &format!("{err} {err:?} {text}"), &scenario.secret);
    recorded.spans.assert_one(
        expect::span("quality.run_checks")
            .root()
            .error_containing("Cannot open file")
            .attr(attr::QUALITY_CHECKS_COUNT, 0_i64),
    );
    recorded
        .spans
        .assert_one(expect::span("quality.run_suite").error_containing("Cannot open file"));
    recorded
        .spans
        .assert_one(expect::span("dbt.run_command").error().attr(attr::DBT_COMMAND, "test"));
    recorded.spans.assert_no_secret(&scenario.secret);
    for line in &recorded.logs {
        assert_text_clean("log line", line, &scenario.secret);
    }
    recorded.spans.assert_conforms();
}

#[tokio::test]
async fn an_unknown_check_type_is_rejected_before_dbt_runs() {
    let project = DbtProject::copy().unwrap();
    let provider = DbtQualityProvider::new(peer::config(&project, None));
    let mut suite = peer::orders_suite();
    suite.checks[1].kind = "expect_the_moon".to_owned();
    suite.checks[2].kind = "row_count_is_prime".to_owned();
    let capture = Capture::start();
    let err = provider.run_checks(&[peer::customers_suite(), suite]).await.unwrap_err();
    assert!(matches!(err, QualityDbtError::UnsupportedChecks { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "suite orders has unsupported check types: expect_the_moon, row_count_is_prime"
    );
    capture.assert_one(
        expect::span("quality.validate_expectations")
            .parent("quality.run_checks")
            .attr(attr::QUALITY_SUITE_NAME, "orders")
            .attr(attr::QUALITY_CHECKS_COUNT, 4_i64)
            .error_containing("expect_the_moon, row_count_is_prime")
            .exception("QualityDbtError"),
    );
    capture.assert_one(expect::span("quality.run_checks").error());
    capture.assert_none(expect::span("quality.run_suite"));
    capture.assert_none(expect::span("dbt.run_command"));
    assert!(!project.dbt_has_run(), "dbt must not have run");
    capture.assert_conforms();
}

#[tokio::test]
async fn the_health_check_is_an_error_when_dbt_is_missing() {
    let project = DbtProject::copy().unwrap();
    let capture = Capture::start();
    assert_eq!(
        DbtQualityProvider::new(peer::config(&project, None)).health_check().await,
        HealthStatus::Healthy
    );
    let mut config = peer::config(&project, None);
    config.dbt.venv = Some(project.path().join("no-venv"));
    let health = DbtQualityProvider::new(config).health_check().await;
    assert!(matches!(health, HealthStatus::Unhealthy { .. }), "{health:?}");
    capture
        .assert_one(expect::span("quality.health_check").ok().attr(attr::QUALITY_PROVIDER, "dbt"));
    capture.assert_one(
        expect::span("quality.health_check")
            .root()
            .error_description(
                "dbt executable dbt not found in the configured venv's bin directory",
            )
            .exception("unhealthy")
            .attr(attr::QUALITY_PROVIDER, "dbt")
            .without_text(project.path().to_string_lossy()),
    );
    capture.assert_conforms();
}

#[test]
fn a_suite_whose_target_is_not_a_model_name_is_invalid() {
    let project = DbtProject::copy().unwrap();
    let provider = DbtQualityProvider::new(peer::config(&project, None));
    let suite = QualitySuite {
        name: "x".to_owned(),
        target: "orders') }} {{ log('pwned".to_owned(),
        checks: Vec::new(),
    };
    let capture = Capture::start();
    let err = provider.validate_expectations(&suite).unwrap_err();
    assert!(err.to_string().contains("which is not a dbt model name"), "{err}");
    capture.assert_one(
        expect::span("quality.validate_expectations")
            .root()
            .error_containing("not a dbt model name"),
    );
    // Run, the suite is refused before dbt starts.
    let run = Capture::detached();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let err = runtime.block_on(run.bind(provider.run_checks(&[suite]))).unwrap_err();
    assert!(matches!(err, QualityDbtError::InvalidTarget { .. }), "{err:?}");
    run.assert_one(
        expect::span("quality.run_checks")
            .root()
            .scope(TRACER_NAME)
            .error_containing("which is not a dbt model name")
            .exception("QualityDbtError"),
    );
    run.assert_none(expect::span("dbt.run_command"));
}

#[test]
fn a_suite_on_a_model_the_project_lacks_is_an_error_after_dbt_selects_nothing() {
    let recorded = &scenario().missing_model;
    let err = recorded.result.as_ref().unwrap_err();
    assert!(matches!(err, QualityDbtError::ModelNotFound { .. }), "{err:?}");
    assert_eq!(err.to_string(), "the dbt project has no model no_such_model");
    recorded.spans.assert_one(
        expect::span("quality.run_suite")
            .parent("quality.run_checks")
            .scope(TRACER_NAME)
            .attr(attr::QUALITY_SUITE_NAME, "ghosts")
            .error_description("the dbt project has no model no_such_model")
            .exception("QualityDbtError"),
    );
    recorded.spans.assert_one(
        expect::span("dbt.run_command")
            .parent("quality.run_suite")
            .ok()
            .attr(attr::DBT_COMMAND, "test")
            .attr(attr::DBT_NODES_COUNT, 0_i64),
    );
    recorded.spans.assert_one(expect::span("quality.run_checks").root().error());
    recorded.spans.assert_conforms();
}
