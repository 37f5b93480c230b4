//! The runner's spans, from real dbt-core commands: one `dbt.run_command` per command, a
//! `dbt.node` child per node, truthful statuses, and no secret anywhere.

use floe_core::SpanKind;
use floe_core::plugin::categories::{DbtCommand, DbtOptions, DbtRunner as _};
use floe_core::plugin::{HealthStatus, Lifecycle as _};
use floe_core::telemetry::{attr, describe_error};
use floe_dbt::{DbtError, DbtSettings};
use floe_dbt_core::telemetry::TRACER_NAME;
use floe_dbt_core::{DbtCoreError, DbtCorePlugin};
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::peers::DbtProject;
use floe_otel_testkit::{Capture, expect};

use crate::scenario::scenario;

mod failures;

const FAILING_TEST: &str = "test.floe_demo.stg_orders_amount_below_100_fails_on_purpose";

#[test]
fn a_command_is_one_span_with_a_child_per_node() {
    let seed = &scenario().seed;
    seed.result.as_ref().unwrap();
    seed.spans.assert_one(
        expect::span("dbt.run_command")
            .root()
            .kind(SpanKind::Internal)
            .scope(TRACER_NAME)
            .floe_attributes()
            .ok()
            .attr(attr::DBT_COMMAND, "seed")
            .attr(attr::DBT_ENGINE, "dbt-core")
            .attr(attr::DBT_TARGET, "dev")
            .attr(attr::DBT_NODES_COUNT, 2_i64)
            .attr(attr::DBT_FAILURES, 0_i64),
    );
    for seed_id in ["seed.floe_demo.raw_customers", "seed.floe_demo.raw_orders"] {
        seed.spans.assert_one(
            expect::span("dbt.node")
                .parent("dbt.run_command")
                .scope(TRACER_NAME)
                .floe_attributes()
                .ok()
                .attr(attr::DBT_NODE_UNIQUE_ID, seed_id)
                .attr(attr::DBT_NODE_STATUS, "success")
                .attr_satisfies(
                    attr::DBT_NODE_EXECUTION_TIME,
                    "seconds > 0",
                    |v| matches!(v, floe_core::Value::F64(s) if *s > 0.0),
                ),
        );
    }
    seed.spans.assert_count(expect::span("dbt.node"), 2);
    seed.spans.assert_conforms();
}

#[test]
fn a_failing_test_ends_its_node_and_the_command_as_errors_naming_it() {
    let recorded = &scenario().failing_test;
    let err = recorded.result.as_ref().unwrap_err();
    assert!(matches!(err, DbtCoreError::Dbt(DbtError::Failed { .. })), "{err:?}");
    let text = describe_error(err).into_string();
    assert!(text.starts_with("dbt test failed (exit status 1): 1 of 10 nodes failed: "), "{text}");
    assert!(text.contains(&format!("{FAILING_TEST}.")), "{text}");
    assert!(text.ends_with("(Got 2 results, configured to fail if != 0)"), "{text}");
    recorded.spans.assert_one(
        expect::span("dbt.run_command")
            .root()
            .error_containing("1 of 10 nodes failed")
            .exception("DbtError")
            .attr(attr::DBT_COMMAND, "test")
            .attr(attr::DBT_NODES_COUNT, 10_i64)
            .attr(attr::DBT_FAILURES, 1_i64),
    );
    recorded.spans.assert_one(
        expect::span("dbt.node")
            .parent("dbt.run_command")
            .attr_contains(attr::DBT_NODE_UNIQUE_ID, FAILING_TEST)
            .attr(attr::DBT_NODE_STATUS, "fail")
            .attr(attr::DBT_NODE_FAILURES, 2_i64)
            .error_description("Got 2 results, configured to fail if != 0")
            .exception("dbt_test_failure"),
    );
    recorded
        .spans
        .assert_count(expect::span("dbt.node").attr(attr::DBT_NODE_STATUS, "pass").ok(), 9);
    recorded.spans.assert_conforms();
}

#[test]
fn a_profile_whose_connection_fails_is_an_error_with_the_password_scrubbed_everywhere() {
    let scenario = scenario();
    let recorded = &scenario.broken_profile;
    let err = recorded.result.as_ref().unwrap_err();
    let text = describe_error(err).into_string();
    assert!(text.starts_with("dbt seed failed (exit status 2): "), "{text}");
    assert!(text.contains("Cannot open file"), "{text}");
    assert!(text.contains("password=<"), "the password is redacted, not dropped: {text}");
    assert!(!text.contains("/nonexistent/"), "no directory reaches the error: {text}");
    assert!(!text.contains(&*scenario.broken_path()), "{text}");
    assert_text_clean("error", &format!("{err} {err:?} {text}"), &scenario.secret);
    recorded.spans.assert_one(
        expect::span("dbt.run_command")
            .root()
            .error_containing("Cannot open file")
            .attr(attr::DBT_COMMAND, "seed"),
    );
    recorded.spans.assert_none(expect::span("dbt.node"));
    recorded.spans.assert_no_secret(&scenario.secret);
    for line in &recorded.logs {
        assert_text_clean("log line", line, &scenario.secret);
    }
    recorded.spans.assert_conforms();
}

#[test]
fn lint_violations_fail_the_lint_span_naming_the_file() {
    let clean = &scenario().lint_clean;
    assert!(clean.result.as_ref().unwrap().success);
    clean.spans.assert_one(
        expect::span("dbt.run_command")
            .ok()
            .attr(attr::DBT_COMMAND, "lint")
            .attr(attr::DBT_LINT_VIOLATIONS, 0_i64),
    );
    let dirty = &scenario().lint_dirty;
    let err = dirty.result.as_ref().unwrap_err();
    assert_eq!(
        err.to_string(),
        "dbt lint failed (exit status 1): 2 violations in 1 of 4 files: models/lint_probe.sql"
    );
    dirty.spans.assert_one(
        expect::span("dbt.run_command")
            .error_containing("models/lint_probe.sql")
            .attr(attr::DBT_LINT_VIOLATIONS, 2_i64)
            .attr(attr::DBT_NODES_COUNT, 4_i64)
            .attr(attr::DBT_FAILURES, 1_i64)
            .no_attr(attr::DBT_ENGINE),
    );
    dirty.spans.assert_one(
        expect::span("dbt.node")
            .parent("dbt.run_command")
            .attr(attr::DBT_NODE_UNIQUE_ID, "models/lint_probe.sql")
            .error_description("LT09 at 1:1, LT01 at 1:17")
            .exception("lint_violation")
            .without_text("select order_id"),
    );
    dirty.spans.assert_conforms();
}

#[tokio::test]
async fn a_command_past_its_timeout_is_stopped_and_reported() {
    let project = DbtProject::copy().unwrap();
    let slow = project.path().join("slow-dbt");
    floe_otel_testkit::fixtures::write_executable(&slow, "#!/bin/sh\nexec sleep 30\n").unwrap();
    let mut settings = DbtSettings::new(project.path());
    settings.executable = Some(slow);
    settings.timeout_secs = 1;
    let capture = Capture::start();
    let err = DbtCorePlugin::new(settings)
        .execute(DbtCommand::Run, &DbtOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, DbtCoreError::Dbt(DbtError::Process { .. })), "{err:?}");
    assert_eq!(
        describe_error(&err).as_str(),
        "dbt run did not run: slow-dbt did not finish within 1s and was stopped"
    );
    capture.assert_one(
        expect::span("dbt.run_command").root().error_containing("did not finish within 1s"),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn the_health_check_is_ok_with_dbt_and_an_error_without_it() {
    let project = DbtProject::copy().unwrap();
    let capture = Capture::start();
    let healthy = DbtCorePlugin::new(crate::peer::settings(&project)).health_check().await;
    assert_eq!(healthy, HealthStatus::Healthy);
    let mut settings = crate::peer::settings(&project);
    settings.executable = Some(project.path().join("no-such-dbt"));
    let unhealthy = DbtCorePlugin::new(settings).health_check().await;
    let HealthStatus::Unhealthy { reason } = unhealthy else { panic!("expected unhealthy") };
    assert_eq!(reason, "dbt executable no-such-dbt not found in the configured executable");
    capture.assert_one(
        expect::span("dbt.health_check")
            .root()
            .scope(TRACER_NAME)
            .floe_attributes()
            .ok()
            .attr(attr::DBT_ENGINE, "dbt-core"),
    );
    capture.assert_one(
        expect::span("dbt.health_check")
            .root()
            .error_description("dbt executable no-such-dbt not found in the configured executable")
            .exception("unhealthy")
            .without_text(project.path().to_string_lossy()),
    );
    capture.assert_conforms();
}

#[test]
fn a_model_the_database_refuses_ends_its_node_and_the_command_as_errors() {
    let recorded = &scenario().erroring_model;
    let err = recorded.result.as_ref().unwrap_err();
    let result = err.result().expect("dbt wrote run_results.json");
    assert_eq!(result.failures().len(), 1);
    let node = &result.failures()[0];
    assert_eq!(
        (node.unique_id.as_str(), node.status.as_str()),
        ("model.floe_demo.error_probe", "error")
    );
    // dbt's first line, which names the model by its project-relative path.
    assert_eq!(
        node.message.as_deref(),
        Some("Runtime Error in model error_probe (models/error_probe.sql)")
    );
    let text = describe_error(err).into_string();
    assert!(
        text.starts_with(
            "dbt run failed (exit status 1): 1 of 1 nodes failed: model.floe_demo.error_probe ("
        ),
        "{text}"
    );
    recorded.spans.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .floe_attributes()
            .error_containing("1 of 1 nodes failed")
            .exception("DbtError")
            .attr(attr::DBT_COMMAND, "run")
            .attr(attr::DBT_NODES_COUNT, 1_i64)
            .attr(attr::DBT_FAILURES, 1_i64),
    );
    recorded.spans.assert_one(
        expect::span("dbt.node")
            .parent("dbt.run_command")
            .scope(TRACER_NAME)
            .floe_attributes()
            .attr(attr::DBT_NODE_UNIQUE_ID, "model.floe_demo.error_probe")
            .attr(attr::DBT_NODE_STATUS, "error")
            .error_description("Runtime Error in model error_probe (models/error_probe.sql)")
            .exception("dbt_node_error")
            .without_text(scenario().other.path().to_string_lossy()),
    );
    recorded.spans.assert_conforms();
}
