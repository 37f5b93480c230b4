//! Pipelines and sink writes that fail, each as an error span of its operation: refused
//! before dlt runs, a driver that cannot start or reports nothing, and dlt's own failure.
//! The planted credential of each pipeline and sink reaches no span, error or log, nor
//! does a token the source's settings put in a URL dlt quotes.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use floe_core::plugin::categories::{Ingestion as _, PipelineSpec};
use floe_core::process::ProcessError;
use floe_core::telemetry::attr;
use floe_ingestion_dlt::{DltConfig, DltError, DltPlugin, DriverError, ErrorCategory};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::http::LoopbackServer;
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::{Capture, expect};
use serde_json::json;

use super::sinks::sink;
use crate::driver::interpreter;
use crate::peer::Dlt;

/// `config` with `secret` as the credential of the orders pipeline and of the sink's run.
fn with_credentials(mut config: DltConfig, secret: &str) -> DltPlugin {
    for name in ["orders_files", "sink_orders_export"] {
        config.credentials.insert(name.to_owned(), secret.to_owned().into());
    }
    DltPlugin::new(config).expect("a valid config")
}

fn span(name: &str) -> expect::SpanExpectation {
    expect::span(name).root().scope("floe.ingestion.dlt").floe_attributes().exception("DltError")
}

fn write_span() -> expect::SpanExpectation {
    span("egress.write")
        .attr(attr::EGRESS_SINK, "orders_export")
        .attr(attr::EGRESS_SINK_KIND, "duckdb")
        .no_attr(attr::EGRESS_ROWS_WRITTEN)
}

fn assert_clean(capture: &Capture, errors: &[&DltError], secret: &str) {
    for error in errors {
        assert_text_clean("an error", &format!("{error} {error:?}"), secret);
    }
    capture.assert_no_secret(secret);
    for line in capture.logs() {
        assert_text_clean("a log line", &line, secret);
    }
}

#[tokio::test]
async fn a_driver_that_reports_nothing_or_cannot_start_fails_every_dlt_operation() {
    let dlt = Dlt::start();
    let secret = planted_secret();
    let mut echoing = dlt.config();
    // Prints the credential it was given, as a crashing dlt's traceback can, then dies.
    echoing.python = interpreter(
        &dlt,
        "crashing-python",
        "echo \"Traceback: refused with $FLOE_DLT_CREDENTIAL\" >&2; exit 1",
    );
    let echoing = with_credentials(echoing, &secret);
    let mut missing = dlt.config();
    missing.python = dlt.path("no-such-python");
    let missing = with_credentials(missing, &secret);
    echoing.create_sink(&sink()).await.expect("created: no driver runs");
    let capture = Capture::start();

    let created = echoing.create_pipeline(&dlt.orders_pipeline()).await.unwrap_err();
    let written = echoing.write("orders_export", &[json!({ "id": 1 })]).await.unwrap_err();
    let ran = missing.run_pipeline(&dlt.orders_pipeline()).await.unwrap_err();

    for error in [&created, &written] {
        assert!(
            matches!(error, DltError::Driver { source: DriverError::NoResult { .. }, .. }),
            "{error:?}"
        );
    }
    assert!(
        matches!(
            ran,
            DltError::Driver { source: DriverError::Process(ProcessError::Spawn { .. }), .. }
        ),
        "{ran:?}"
    );
    capture.assert_one(
        span("ingestion.create_pipeline")
            .attr(attr::INGESTION_PIPELINE, "orders_files")
            .error_containing("without a result: Traceback: refused with")
            .no_attr(attr::INGESTION_ERROR_CATEGORY),
    );
    capture.assert_one(write_span().error_containing("without a result: Traceback: refused with"));
    capture.assert_one(
        span("ingestion.run")
            .attr(attr::INGESTION_PIPELINE, "orders_files")
            .error_containing("pipeline orders_files: cannot start no-such-python")
            .no_attr(attr::INGESTION_ROWS_LOADED)
            .without_text(dlt.path("")),
    );
    capture.assert_conforms();
    assert_clean(&capture, &[&created, &written, &ran], &secret);
}

#[tokio::test]
async fn a_pipeline_or_a_write_refused_before_dlt_runs_is_an_invalid_error_span() {
    let dlt = Dlt::start();
    let secret = planted_secret();
    // The pipelines directory cannot be made: its parent is a regular file.
    std::fs::write(dlt.path("blocked"), "").expect("a file");
    let mut config = dlt.config();
    config.pipelines_dir = dlt.path("blocked/pipelines");
    let plugin = with_credentials(config, &secret);
    plugin.create_sink(&sink()).await.expect("created: no directory needed yet");
    let mut unknown_source = dlt.orders_pipeline();
    unknown_source.source_type = "ftp".to_owned();
    let capture = Capture::start();

    let written = plugin.write("orders_export", &[json!({ "id": 1 })]).await.unwrap_err();
    let ran = plugin.run_pipeline(&unknown_source).await.unwrap_err();

    assert!(matches!(&written, DltError::Invalid { what, .. } if what == "config"), "{written:?}");
    assert!(matches!(&ran, DltError::Invalid { .. }), "{ran:?}");
    capture.assert_one(
        write_span()
            .error_containing("invalid config: pipelines_dir: Not a directory")
            .without_text(dlt.path("")),
    );
    capture.assert_one(
        span("ingestion.run")
            .attr(attr::INGESTION_SOURCE_TYPE, "ftp")
            .error_containing("invalid pipeline orders_files: source_type must be one of")
            .no_attr(attr::INGESTION_ATTEMPTS),
    );
    capture.assert_conforms();
    assert_clean(&capture, &[&written, &ran], &secret);
}

#[tokio::test]
async fn dlt_failing_a_pipeline_creation_or_a_write_is_a_permanent_error_span() {
    let dlt = Dlt::start();
    let secret = planted_secret();
    // A filesystem sink whose bucket sits under a regular file: dlt cannot write its state.
    std::fs::write(dlt.path("blocked"), "").expect("a file");
    let mut config = dlt.config();
    config.filesystem_url = Some(format!("file://{}", dlt.path("blocked/lake")));
    let plugin = with_credentials(config, &secret);
    let mut lake = sink();
    lake.kind = "filesystem".to_owned();
    plugin.create_sink(&lake).await.expect("created");
    let mut xml = dlt.orders_pipeline();
    xml.source["format"] = json!("xml");
    let capture = Capture::start();

    let created = plugin.create_pipeline(&xml).await.unwrap_err();
    let written = plugin.write("orders_export", &[json!({ "id": 1 })]).await.unwrap_err();

    for error in [&created, &written] {
        assert!(
            matches!(
                error,
                DltError::Failed { category: ErrorCategory::Permanent, attempts: 1, .. }
            ),
            "{error:?}"
        );
    }
    capture.assert_one(
        span("ingestion.create_pipeline")
            .attr(attr::INGESTION_PIPELINE, "orders_files")
            .error_containing(
                "pipeline orders_files failed (permanent, attempt 1): ValueError: unsupported \
                 file format 'xml'",
            )
            .no_attr(attr::INGESTION_ERROR_CATEGORY)
            .no_attr(attr::INGESTION_ATTEMPTS),
    );
    capture.assert_one(
        span("egress.write")
            .attr(attr::EGRESS_SINK, "orders_export")
            .attr(attr::EGRESS_SINK_KIND, "filesystem")
            .error_containing(
                "pipeline sink_orders_export failed (permanent, attempt 1): NotADirectoryError",
            )
            .no_attr(attr::EGRESS_ROWS_WRITTEN),
    );
    capture.assert_conforms();
    assert_clean(&capture, &[&created, &written], &secret);
}

#[tokio::test]
async fn a_token_in_the_url_dlt_quotes_is_redacted_on_the_run_span() {
    let dlt = Dlt::start();
    let api = LoopbackServer::start(Router::new().route(
        "/orders",
        get(|| async { (StatusCode::BAD_REQUEST, "{\"error\": \"unknown parameter\"}") }),
    ));
    // GitLab's query-string token, a parameter of the source's settings that floe never
    // holds as a credential and dlt's redaction of URLs does not know (it masks `api_key`,
    // `token` and the like): only the sanitizer can remove it from requests' "for url:".
    let token = planted_secret();
    let spec = PipelineSpec {
        name: "orders_api".to_owned(),
        source_type: "rest_api".to_owned(),
        source: json!({
            "base_url": api.url("/"),
            "resources": [{
                "name": "orders",
                "endpoint": { "path": "orders", "params": { "private_token": token } },
            }],
        }),
        destination: "duckdb".to_owned(),
        dataset: "api".to_owned(),
    };
    let capture = Capture::start();

    let error = crate::plugin(&dlt).run_pipeline(&spec).await.unwrap_err();

    assert!(
        matches!(error, DltError::Failed { category: ErrorCategory::Permanent, attempts: 1, .. }),
        "{error:?}"
    );
    assert_eq!(api.requests().len(), 1, "dlt asked once");
    capture.assert_one(
        span("ingestion.run")
            .attr(attr::INGESTION_PIPELINE, "orders_api")
            .attr(attr::INGESTION_SOURCE_TYPE, "rest_api")
            .attr(attr::INGESTION_ERROR_CATEGORY, "permanent")
            .error_containing(format!(
                "400 Client Error: Bad Request for url: {}orders?private_token=<REDACTED>",
                api.url("/")
            ))
            .no_attr(attr::INGESTION_ROWS_LOADED),
    );
    capture.assert_secret_nowhere(&token, &[&format!("{error} {error:?}")]);
    for line in capture.logs() {
        assert_text_clean("a log line", &line, &token);
    }
    capture.assert_conforms();
}
