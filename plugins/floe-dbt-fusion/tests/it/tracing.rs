//! The runner's spans: the Fusion path (recorded CLI contract), the traced fallback to the
//! real dbt-core, failures, and the health check.

use floe_core::plugin::categories::{DbtCommand, DbtOptions, DbtRunner as _};
use floe_core::plugin::{HealthStatus, Lifecycle as _};
use floe_core::telemetry::{attr, describe_error};
use floe_dbt_fusion::DbtFusionPlugin;
use floe_dbt_fusion::telemetry::TRACER_NAME;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::peers::DbtProject;
use floe_otel_testkit::{Capture, expect};

use crate::peer;

#[tokio::test]
async fn the_fusion_path_is_one_command_span_saying_no_fallback_with_node_children() {
    let project = DbtProject::copy().unwrap();
    let plugin = DbtFusionPlugin::new(peer::fusion_config(&project));
    let capture = Capture::start();
    let result = plugin.execute(DbtCommand::Run, &DbtOptions::default()).await.unwrap();
    assert_eq!(result.models_run(), 3);
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .floe_attributes()
            .ok()
            .attr(attr::DBT_COMMAND, "run")
            .attr(attr::DBT_ENGINE, "fusion")
            .attr(attr::DBT_FALLBACK, false)
            .no_attr(attr::DBT_FALLBACK_REASON)
            .attr(attr::DBT_NODES_COUNT, 3_i64),
    );
    capture.assert_count(
        expect::span("dbt.node").parent("dbt.run_command").scope(TRACER_NAME).ok(),
        3,
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn without_fusion_the_real_dbt_core_runs_and_the_span_says_why() {
    let project = DbtProject::copy().unwrap();
    let plugin = DbtFusionPlugin::new(peer::fallback_config(&project));
    let capture = Capture::start();
    let result = plugin.execute(DbtCommand::Seed, &DbtOptions::default()).await.unwrap();
    assert!(result.success);
    assert_eq!(result.nodes.len(), 2);
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .ok()
            .attr(attr::DBT_COMMAND, "seed")
            .attr(attr::DBT_ENGINE, "dbt-core")
            .attr(attr::DBT_FALLBACK, true)
            .attr(
                attr::DBT_FALLBACK_REASON,
                "the configured Fusion CLI dbtf is not an executable file",
            )
            .without_text(project.path().to_string_lossy()),
    );
    capture.assert_one(
        expect::span("dbt.node").attr(attr::DBT_NODE_UNIQUE_ID, "seed.floe_demo.raw_orders").ok(),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn a_fusion_failure_is_an_error_quoting_the_cli_without_the_password() {
    let secret = planted_secret();
    let project = DbtProject::copy().unwrap();
    let plugin = DbtFusionPlugin::new(peer::failing_fusion_config(&project, &secret));
    let capture = Capture::start();
    let err = plugin.execute(DbtCommand::Run, &DbtOptions::default()).await.unwrap_err();
    let text = describe_error(&err).into_string();
    assert_eq!(
        text,
        "dbt run failed (exit status 1): error: dbt1308: Failed to connect to postgres://<REDACTED>@db:5432/demo"
    );
    assert_text_clean("error", &format!("{err} {err:?}"), &secret);
    capture.assert_one(
        expect::span("dbt.run_command")
            .error_containing("Failed to connect to postgres://<REDACTED>@db:5432/demo")
            .exception("DbtError")
            .attr(attr::DBT_ENGINE, "fusion"),
    );
    capture.assert_none(expect::span("dbt.node"));
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_failing_test_under_fusion_fails_the_command_and_its_node() {
    let project = DbtProject::copy().unwrap();
    let plugin = DbtFusionPlugin::new(peer::fusion_config(&project));
    let options = DbtOptions {
        vars: Some("{floe_fail_on_purpose: true}".to_owned()),
        ..DbtOptions::default()
    };
    let capture = Capture::start();
    let err = plugin.execute(DbtCommand::Test, &options).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "dbt test failed (exit status 1): 1 of 3 nodes failed: test.floe_demo.stg_orders_amount_below_100_fails_on_purpose"
    );
    capture.assert_one(expect::span("dbt.run_command").error().attr(attr::DBT_FAILURES, 1_i64));
    capture.assert_one(
        expect::span("dbt.node")
            .attr(
                attr::DBT_NODE_UNIQUE_ID,
                "test.floe_demo.stg_orders_amount_below_100_fails_on_purpose",
            )
            .attr(attr::DBT_NODE_FAILURES, 2_i64)
            .error_description("the test failed"),
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
            .ok()
            .attr(attr::DBT_ENGINE, "fusion")
            .attr(attr::DBT_FALLBACK, false),
    );
    capture.assert_one(
        expect::span("dbt.health_check")
            .error_containing("not found")
            .attr(attr::DBT_ENGINE, "dbt-core")
            .attr(attr::DBT_FALLBACK, true)
            .without_text(project.path().to_string_lossy()),
    );
    capture.assert_conforms();
}
