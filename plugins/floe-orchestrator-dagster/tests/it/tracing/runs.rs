//! `orchestrator.materialize` driving the real Dagster in process (a failed run's text on
//! its span, sanitized), and FR-006 end to end:
//! the run exports its asset execution and IO-manager spans over OTLP/HTTP to a loopback
//! receiver, each a child of the Rust `orchestrator.materialize` span that launched it.

use floe_core::plugin::categories::Orchestrator as _;
use floe_core::telemetry::attr;
use floe_orchestrator_dagster::{DagsterError, DagsterPlugin};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::peers::dbt::warehouse_url;
use floe_otel_testkit::peers::venv_bin;
use floe_otel_testkit::{Capture, expect};
use serde_json::Value;

use crate::peer::{DbtProject, write_files};
use crate::receiver::Receiver;

/// The total `order_totals` holds after a run.
fn order_total(project: &DbtProject) -> String {
    let script = "import duckdb, sys\n\
        print(duckdb.connect(sys.argv[1], read_only=True).sql('select total from order_totals').fetchall()[0][0])";
    let output = std::process::Command::new(venv_bin("python").expect("venv"))
        .args(["-c", script])
        .arg(project.dir().join("warehouse.duckdb"))
        .output()
        .expect("python runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn asset_key(span: &Value) -> String {
    span["attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["key"] == "orchestrator.asset_key")
        .and_then(|a| a["value"]["stringValue"].as_str())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_generated_code_continues_the_trace_of_the_span_that_launched_the_run() {
    let project = DbtProject::start();
    let mut receiver = Receiver::start();
    let mut config = project.config("http://127.0.0.1:3000");
    config.otlp_endpoint = Some(receiver.endpoint());
    let plugin = DagsterPlugin::new(config).expect("valid");
    let out = tempfile::tempdir().expect("tempdir");
    write_files(out.path(), &plugin.generate_definitions(&project.artifacts()).expect("generated"));
    let capture = Capture::start();

    let report = plugin
        .materialize(out.path(), &["orders", "order_totals"])
        .await
        .expect("the run succeeds");

    assert_eq!(report.materialized, ["order_totals", "orders"]);
    assert_eq!(order_total(&project), "15", "dbt really ran both models");
    let launcher = capture.assert_one(
        expect::span("orchestrator.materialize")
            .root()
            .scope("floe.orchestrator.dagster")
            .ok()
            .attr(attr::ORCHESTRATOR_NAME, "dagster")
            .attr(attr::ORCHESTRATOR_ASSETS_COUNT, 2_i64)
            .attr(attr::ORCHESTRATOR_RUN_ID, report.run_id.clone()),
    );
    capture.assert_conforms();
    let trace_id = launcher.span_context.trace_id().to_string();
    let span_id = launcher.span_context.span_id().to_string();
    let spans = receiver.wait_for_spans(5);
    let mut seen: Vec<(String, String)> = spans
        .iter()
        .map(|span| {
            assert_eq!(span["traceId"], trace_id.as_str(), "same trace: {span}");
            assert_eq!(span["parentSpanId"], span_id.as_str(), "child of the launcher: {span}");
            assert_eq!(span["status"]["code"], 1, "ok: {span}");
            assert!(span.to_string().contains(&report.run_id), "run id recorded: {span}");
            (span["name"].as_str().unwrap_or_default().to_owned(), asset_key(span))
        })
        .collect();
    seen.sort();
    let expected = [
        ("orchestrator.asset_execution", "order_totals"),
        ("orchestrator.asset_execution", "orders"),
        ("orchestrator.io_load", "orders"),
        ("orchestrator.io_store", "order_totals"),
        ("orchestrator.io_store", "orders"),
    ];
    assert_eq!(seen, expected.map(|(n, k)| (n.to_owned(), k.to_owned())));
}

#[tokio::test]
async fn a_failing_model_fails_the_run_its_asset_span_and_its_launching_span() {
    let project = DbtProject::start();
    std::fs::write(project.dir().join("models/orders.sql"), "select * from no_such_table\n")
        .expect("written");
    let secret = planted_secret();
    let mut receiver = Receiver::start();
    let mut config = project.config("http://127.0.0.1:3000");
    config.otlp_endpoint = Some(receiver.endpoint());
    config.api_token = Some(secret.clone().into());
    let plugin = DagsterPlugin::new(config).expect("valid");
    let out = tempfile::tempdir().expect("tempdir");
    write_files(out.path(), &plugin.generate_definitions(&project.artifacts()).expect("generated"));
    let capture = Capture::start();

    let error = plugin.materialize(out.path(), &["orders"]).await.unwrap_err();

    assert!(
        matches!(error, DagsterError::RunFailed { ref run_id, .. } if !run_id.is_empty()),
        "{error:?}"
    );
    assert_text_clean("the error", &format!("{error} {error:?}"), &secret);
    assert!(error.to_string().contains("dbt run --select orders exited with 1"), "{error}");
    let launcher = capture.assert_one(
        expect::span("orchestrator.materialize")
            .root()
            .scope("floe.orchestrator.dagster")
            .floe_attributes()
            .error_containing("dbt run --select orders exited with 1")
            .exception("DagsterError")
            .attr(attr::ORCHESTRATOR_ASSETS_COUNT, 1_i64)
            .has_attr(attr::ORCHESTRATOR_RUN_ID),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
    // The generated code's asset span failed too, as a child of the launcher, naming the
    // exception type only (never dbt's output).
    let spans = receiver.wait_for_spans(1);
    let execution = spans
        .iter()
        .find(|s| s["name"] == "orchestrator.asset_execution")
        .unwrap_or_else(|| panic!("no asset execution span in {spans:?}"));
    assert_eq!(execution["parentSpanId"], launcher.span_context.span_id().to_string().as_str());
    assert_eq!(execution["status"]["code"], 2, "error: {execution}");
    assert_eq!(execution["status"]["message"], "Failure", "{execution}");
    assert_eq!(asset_key(execution), "orders");
    assert!(!execution.to_string().contains("no_such_table"), "{execution}");
}

#[tokio::test]
async fn a_model_failing_on_a_connection_string_fails_the_run_with_its_password_redacted() {
    // DuckDB, under dbt under Dagster, quotes the model's connection string, user info
    // included: a credential the plugin never sent, kept off the span by the sanitizer.
    let project = DbtProject::start();
    let secret = planted_secret();
    std::fs::write(
        project.dir().join("models/orders.sql"),
        format!("select * from read_csv('{}')\n", warehouse_url(&secret)),
    )
    .expect("written");
    let plugin = DagsterPlugin::new(project.config("http://127.0.0.1:3000")).expect("valid");
    let out = tempfile::tempdir().expect("tempdir");
    write_files(out.path(), &plugin.generate_definitions(&project.artifacts()).expect("generated"));
    let capture = Capture::start();

    let error = plugin.materialize(out.path(), &["orders"]).await.unwrap_err();

    assert!(
        matches!(error, DagsterError::RunFailed { ref run_id, .. } if !run_id.is_empty()),
        "{error:?}"
    );
    let redacted = r#"IO Error: No files found that match the pattern "postgresql://<REDACTED>@db.internal:5432/warehouse""#;
    let text = error.to_string();
    assert!(text.contains("dbt run --select orders exited with 1"), "{text}");
    assert!(text.contains(redacted), "{text}");
    capture.assert_one(
        expect::span("orchestrator.materialize")
            .root()
            .scope("floe.orchestrator.dagster")
            .floe_attributes()
            .error_containing(redacted)
            .exception("DagsterError")
            .attr(attr::ORCHESTRATOR_ASSETS_COUNT, 1_i64)
            .has_attr(attr::ORCHESTRATOR_RUN_ID),
    );
    capture.assert_secret_nowhere(&secret, &[&text, &format!("{error:?}")]);
}
