//! The runner's spans: the Fusion path (the documented-contract CLI, running the project
//! for real), the traced fallback to the real dbt-core, failures read from Fusion's JSON
//! log events, and the health check.

use floe_core::plugin::categories::{DbtCommand, DbtOptions, DbtRunner as _};
use floe_core::plugin::{HealthStatus, Lifecycle as _};
use floe_core::telemetry::{attr, describe_error};
use floe_dbt::DbtError;
use floe_dbt_fusion::telemetry::TRACER_NAME;
use floe_dbt_fusion::{DbtFusionError, DbtFusionPlugin};
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::peers::DbtProject;
use floe_otel_testkit::{Capture, expect};

use crate::peer;
use crate::scenario::scenario;

mod failures;

const FAILING_TEST: &str = "test.floe_demo.stg_orders_amount_below_100_fails_on_purpose";

#[test]
fn the_fusion_path_is_one_command_span_saying_no_fallback_with_node_children() {
    let run = &scenario().run;
    assert_eq!(run.result.as_ref().unwrap().models_run(), 3);
    run.spans.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .floe_attributes()
            .ok()
            .attr(attr::DBT_COMMAND, "run")
            .attr(attr::DBT_ENGINE, "fusion")
            .attr(attr::DBT_TARGET, "dev")
            .attr(attr::DBT_FALLBACK, false)
            .no_attr(attr::DBT_FALLBACK_REASON)
            .attr(attr::DBT_NODES_COUNT, 3_i64)
            .attr(attr::DBT_FAILURES, 0_i64),
    );
    for model in ["customer_orders", "stg_customers", "stg_orders"] {
        run.spans.assert_one(
            expect::span("dbt.node")
                .parent("dbt.run_command")
                .scope(TRACER_NAME)
                .floe_attributes()
                .ok()
                .attr(attr::DBT_NODE_UNIQUE_ID, format!("model.floe_demo.{model}"))
                .attr(attr::DBT_NODE_STATUS, "success"),
        );
    }
    run.spans.assert_conforms();
}

#[test]
fn without_fusion_the_real_dbt_core_runs_and_the_span_says_why() {
    let scenario = scenario();
    let seed = &scenario.fallback_seed;
    let result = seed.result.as_ref().unwrap();
    assert!(result.success);
    assert_eq!(result.nodes.len(), 2);
    seed.spans.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .floe_attributes()
            .ok()
            .attr(attr::DBT_COMMAND, "seed")
            .attr(attr::DBT_ENGINE, "dbt-core")
            .attr(attr::DBT_FALLBACK, true)
            .attr(
                attr::DBT_FALLBACK_REASON,
                "the configured Fusion CLI dbtf is not an executable file",
            )
            .without_text("/"),
    );
    seed.spans.assert_one(
        expect::span("dbt.node")
            .parent("dbt.run_command")
            .attr(attr::DBT_NODE_UNIQUE_ID, "seed.floe_demo.raw_orders")
            .ok(),
    );
    seed.spans.assert_conforms();
}

#[test]
fn a_connection_failure_is_read_from_fusions_json_error_event_without_the_password() {
    let scenario = scenario();
    let broken = &scenario.broken;
    let err = broken.result.as_ref().unwrap_err();
    let DbtFusionError::Dbt(DbtError::Failed { status, result, .. }) = err else {
        panic!("expected a failed command, got {err:?}")
    };
    assert_eq!(status, "exit status 1");
    assert!(result.is_none(), "nothing ran, so no node results");
    let text = describe_error(err).into_string();
    assert!(text.starts_with("dbt run failed (exit status 1): "), "{text}");
    // The message of the `"level": "error"` event, its `[error]` prefix removed.
    assert!(text.contains("Cannot open file \"host=db user=floe password=<"), "{text}");
    assert!(!text.contains("[error]") && !text.contains("/nonexistent"), "{text}");
    assert_text_clean("error", &format!("{err} {err:?}"), &scenario.secret);
    broken.spans.assert_one(
        expect::span("dbt.run_command")
            .root()
            .error_containing("Cannot open file")
            .exception("DbtError")
            .attr(attr::DBT_ENGINE, "fusion")
            .attr(attr::DBT_FALLBACK, false)
            .no_attr(attr::DBT_NODES_COUNT),
    );
    broken.spans.assert_none(expect::span("dbt.node"));
    broken.spans.assert_no_secret(&scenario.secret);
    for line in &broken.logs {
        assert_text_clean("log line", line, &scenario.secret);
    }
    broken.spans.assert_conforms();
}

#[test]
fn a_failing_test_under_fusion_fails_the_command_and_its_node() {
    let recorded = &scenario().failing_test;
    let err = recorded.result.as_ref().unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("dbt test failed (exit status 1): 1 of 10 nodes failed: "), "{text}");
    assert!(text.contains(FAILING_TEST), "{text}");
    assert_eq!(err.to_string(), describe_error(err).into_string());
    recorded.spans.assert_one(
        expect::span("dbt.run_command")
            .root()
            .error_containing("1 of 10 nodes failed")
            .exception("DbtError")
            .attr(attr::DBT_ENGINE, "fusion")
            .attr(attr::DBT_FAILURES, 1_i64)
            .attr(attr::DBT_NODES_COUNT, 10_i64),
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

#[tokio::test]
async fn a_project_the_documented_cli_refuses_is_an_error_read_from_its_json_event() {
    let project = DbtProject::copy().unwrap();
    project.set_target_path("elsewhere").unwrap();
    let plugin = DbtFusionPlugin::new(peer::fusion_config(&project));
    let capture = Capture::start();
    let err = plugin.execute(DbtCommand::Seed, &DbtOptions::default()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "dbt seed failed (exit status 1): [InvalidConfig (dbt1005)]: 'target-path' cannot be \
         specified in dbt_project.yml"
    );
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .error_containing("'target-path' cannot be specified in dbt_project.yml")
            .exception("DbtError")
            .attr(attr::DBT_COMMAND, "seed")
            .attr(attr::DBT_ENGINE, "fusion"),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn the_health_check_follows_the_engine_that_would_run() {
    let project = DbtProject::copy().unwrap();
    let capture = Capture::start();
    assert_eq!(
        DbtFusionPlugin::new(peer::fusion_config(&project)).health_check().await,
        HealthStatus::Healthy
    );
    let mut nothing = peer::fallback_config(&project);
    nothing.dbt.venv = Some(project.path().join("no-venv"));
    let health = DbtFusionPlugin::new(nothing).health_check().await;
    let HealthStatus::Unhealthy { reason } = health else {
        panic!("expected unhealthy, got {health:?}")
    };
    assert_eq!(reason, "dbt executable dbt not found in the configured venv's bin directory");
    capture.assert_one(
        expect::span("dbt.health_check")
            .root()
            .scope(TRACER_NAME)
            .floe_attributes()
            .ok()
            .attr(attr::DBT_ENGINE, "fusion")
            .attr(attr::DBT_FALLBACK, false),
    );
    capture.assert_one(
        expect::span("dbt.health_check")
            .root()
            .error_description(
                "dbt executable dbt not found in the configured venv's bin directory",
            )
            .exception("unhealthy")
            .attr(attr::DBT_ENGINE, "dbt-core")
            .attr(attr::DBT_FALLBACK, true)
            .without_text(project.path().to_string_lossy()),
    );
    capture.assert_conforms();
}
