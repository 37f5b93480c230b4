//! The spans of the dlt plugin, driven against the pinned dlt.

use floe_core::SpanKind;
use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::{Ingestion as _, PipelineSpec};
use floe_core::telemetry::attr;
use floe_ingestion_dlt::{DltError, DltPlugin, ErrorCategory};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};
use serde_json::json;

use crate::peer::{Dlt, ORDERS};
use crate::plugin;

mod failures;
mod sinks;

fn run_span(pipeline: &str, source_type: &str) -> expect::SpanExpectation {
    expect::span("ingestion.run")
        .root()
        .scope("floe.ingestion.dlt")
        .kind(SpanKind::Internal)
        .floe_attributes()
        .attr(attr::INGESTION_PIPELINE, pipeline.to_owned())
        .attr(attr::INGESTION_SOURCE_TYPE, source_type.to_owned())
        .attr(attr::INGESTION_DESTINATION, "duckdb")
}

#[tokio::test]
async fn a_file_pipeline_loads_its_rows_into_duckdb_under_an_ok_run_span() {
    let dlt = Dlt::start();
    let capture = Capture::start();

    let info = plugin(&dlt).run_pipeline(&dlt.orders_pipeline()).await.expect("loaded");

    assert_eq!(info.rows_loaded, 3);
    assert_eq!(info.attempts, 1);
    assert!(info.bytes.is_some_and(|b| b > 0), "{info:?}");
    let rows = dlt.query("select id, name, amount from raw.orders order by id");
    assert_eq!(rows, ORDERS.map(|row| row.map(str::to_owned).to_vec()).to_vec());
    let loads = dlt.query("select load_id from raw._dlt_loads where status = 0");
    assert_eq!(loads, vec![vec![info.load_id.clone()]], "the load id is dlt's");
    capture.assert_one(
        run_span("orders_files", "filesystem")
            .ok()
            .attr(attr::INGESTION_ROWS_LOADED, 3_i64)
            .attr(attr::INGESTION_ATTEMPTS, 1_i64)
            .attr(attr::INGESTION_LOAD_ID, info.load_id)
            .has_attr(attr::INGESTION_BYTES_LOADED)
            .no_event("ingestion.retry"),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn a_refused_api_is_retried_then_an_error_span_and_the_token_leaks_nowhere() {
    let dlt = Dlt::start();
    let secret = planted_secret();
    let mut config = dlt.config();
    config.max_attempts = 2;
    config.credentials.insert("orders_api".to_owned(), secret.clone().into());
    let plugin = DltPlugin::new(config).expect("a valid config");
    let spec = PipelineSpec {
        name: "orders_api".to_owned(),
        source_type: "rest_api".to_owned(),
        source: json!({ "base_url": format!("http://{}/", closed_port()), "resources": ["orders"] }),
        destination: "duckdb".to_owned(),
        dataset: "api".to_owned(),
    };
    let capture = Capture::start();

    let error = plugin.run_pipeline(&spec).await.unwrap_err();

    assert!(
        matches!(error, DltError::Failed { category: ErrorCategory::Transient, attempts: 2, .. }),
        "{error:?}"
    );
    assert_text_clean("the error", &format!("{error} {error:?}"), &secret);
    assert_text_clean("the generated config", &plugin_config(&plugin), &secret);
    capture.assert_one(
        run_span("orders_api", "rest_api")
            .error_containing("Connection refused")
            .exception("DltError")
            .attr(attr::INGESTION_ERROR_CATEGORY, "transient")
            .attr(attr::INGESTION_ATTEMPTS, 2_i64)
            .no_attr(attr::INGESTION_ROWS_LOADED)
            .event(
                expect::event("ingestion.retry")
                    .attr(attr::INGESTION_ATTEMPTS, 1_i64)
                    .attr(attr::INGESTION_ERROR_CATEGORY, "transient"),
            ),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
    for line in capture.logs() {
        assert_text_clean("a log line", &line, &secret);
    }
}

fn plugin_config(plugin: &DltPlugin) -> String {
    use floe_core::plugin::Plugin as _;
    plugin.generated_config().expect("generated").to_string()
}

#[tokio::test]
async fn a_permanent_failure_is_not_retried() {
    let dlt = Dlt::start();
    let mut spec = dlt.orders_pipeline();
    spec.source["format"] = json!("xml");
    let capture = Capture::start();

    let error = plugin(&dlt).run_pipeline(&spec).await.unwrap_err();

    assert!(
        matches!(error, DltError::Failed { category: ErrorCategory::Permanent, attempts: 1, .. }),
        "{error:?}"
    );
    capture.assert_one(
        run_span("orders_files", "filesystem")
            .error_containing("unsupported file format 'xml'")
            .attr(attr::INGESTION_ERROR_CATEGORY, "permanent")
            .attr(attr::INGESTION_ATTEMPTS, 1_i64)
            .no_event("ingestion.retry"),
    );
}

#[tokio::test]
async fn creating_a_pipeline_is_an_ok_span_and_an_invalid_one_an_error_span() {
    let dlt = Dlt::start();
    let plugin = plugin(&dlt);
    let mut bad = dlt.orders_pipeline();
    bad.name = "bad".to_owned();
    bad.dataset = "Not-An-Identifier".to_owned();
    let capture = Capture::start();

    plugin.create_pipeline(&dlt.orders_pipeline()).await.expect("created");
    let error = plugin.create_pipeline(&bad).await.unwrap_err();

    assert!(std::path::Path::new(&dlt.path("pipelines/orders_files")).is_dir());
    assert!(error.to_string().contains("dataset must be a lower-case identifier"), "{error}");
    capture.assert_one(
        expect::span("ingestion.create_pipeline")
            .root()
            .ok()
            .attr(attr::INGESTION_PIPELINE, "orders_files")
            .attr(attr::INGESTION_SOURCE_TYPE, "filesystem"),
    );
    capture.assert_one(
        expect::span("ingestion.create_pipeline")
            .root()
            .attr(attr::INGESTION_PIPELINE, "bad")
            .error_containing("invalid pipeline bad"),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn the_health_check_imports_dlt_and_a_missing_interpreter_is_an_error_span() {
    let dlt = Dlt::start();
    let mut missing = dlt.config();
    missing.python = dlt.path("no-such-python");
    let capture = Capture::start();

    assert!(plugin(&dlt).health_check().await.is_healthy());
    let unhealthy = DltPlugin::new(missing).expect("valid").health_check().await;

    assert!(!unhealthy.is_healthy());
    let spans = expect::span("ingestion.health_check").root().scope("floe.ingestion.dlt");
    capture.assert_one(spans.clone().ok());
    capture.assert_one(
        spans
            .error_description(
                "no-such-python cannot run dlt: cannot start no-such-python: No such file or \
                 directory (os error 2)",
            )
            .exception("DltError")
            .without_text(dlt.path("")),
    );
    capture.assert_conforms();
}
