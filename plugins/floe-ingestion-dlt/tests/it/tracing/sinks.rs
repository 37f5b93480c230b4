//! The egress spans: sinks created, listed, and written to by a dlt run into DuckDB, and
//! the sinks refused before dlt runs.

use floe_core::plugin::categories::{Ingestion as _, SinkSpec};
use floe_core::telemetry::attr;
use floe_ingestion_dlt::DltError;
use floe_otel_testkit::{Capture, expect};
use serde_json::json;

use crate::peer::Dlt;
use crate::plugin;

pub(super) fn sink() -> SinkSpec {
    SinkSpec {
        name: "orders_export".to_owned(),
        kind: "duckdb".to_owned(),
        settings: json!({ "dataset": "exports", "table": "orders_out" }),
    }
}

#[tokio::test]
async fn rows_written_to_a_sink_land_in_its_table_under_an_ok_write_span() {
    let dlt = Dlt::start();
    let plugin = plugin(&dlt);
    let capture = Capture::start();

    plugin.create_sink(&sink()).await.expect("created");
    let listed = plugin.list_sinks().await.expect("listed");
    let report = plugin
        .write(
            "orders_export",
            &[json!({ "id": 7, "total": 12.5 }), json!({ "id": 8, "total": 3 })],
        )
        .await
        .expect("written");

    assert_eq!(listed, vec![sink()]);
    assert_eq!(report.rows_written, 2);
    assert_eq!(
        dlt.query("select id, total from exports.orders_out order by id"),
        vec![vec!["7", "12.5"], vec!["8", "3.0"]]
    );
    capture.assert_one(
        expect::span("egress.create_sink")
            .root()
            .ok()
            .attr(attr::EGRESS_SINK, "orders_export")
            .attr(attr::EGRESS_SINK_KIND, "duckdb"),
    );
    capture.assert_one(expect::span("egress.list_sinks").root().ok());
    capture.assert_one(
        expect::span("egress.write")
            .root()
            .scope("floe.ingestion.dlt")
            .ok()
            .attr(attr::EGRESS_SINK, "orders_export")
            .attr(attr::EGRESS_ROWS_WRITTEN, 2_i64)
            .has_attr(attr::EGRESS_LOAD_ID)
            .no_attr(attr::INGESTION_PIPELINE),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn unknown_duplicate_and_invalid_sinks_are_error_spans() {
    let dlt = Dlt::start();
    let plugin = plugin(&dlt);
    let mut invalid = sink();
    invalid.name = "no_dataset".to_owned();
    invalid.settings = json!({ "table": "t" });
    let capture = Capture::start();

    plugin.create_sink(&sink()).await.expect("created");
    let duplicate = plugin.create_sink(&sink()).await.unwrap_err();
    let missing = plugin.create_sink(&invalid).await.unwrap_err();
    let unknown = plugin.write("nowhere", &[json!({ "id": 1 })]).await.unwrap_err();

    assert!(matches!(duplicate, DltError::Invalid { .. }), "{duplicate:?}");
    assert!(matches!(missing, DltError::Invalid { .. }), "{missing:?}");
    assert!(matches!(unknown, DltError::UnknownSink(_)), "{unknown:?}");
    assert_eq!(unknown.to_string(), "no sink named nowhere");
    capture.assert_one(
        expect::span("egress.write")
            .root()
            .scope("floe.ingestion.dlt")
            .attr(attr::EGRESS_SINK, "nowhere")
            .no_attr(attr::EGRESS_SINK_KIND)
            .error_containing("no sink named nowhere"),
    );
    let create = |name: &str| {
        expect::span("egress.create_sink")
            .root()
            .scope("floe.ingestion.dlt")
            .attr(attr::EGRESS_SINK, name.to_owned())
            .attr(attr::EGRESS_SINK_KIND, "duckdb")
            .exception("DltError")
    };
    capture.assert_one(
        create("orders_export")
            .error_containing("invalid sink orders_export: a sink of that name exists"),
    );
    capture.assert_one(
        create("no_dataset")
            .error_containing("invalid sink no_dataset: settings.dataset is required"),
    );
    assert_eq!(plugin.list_sinks().await.expect("listed"), vec![sink()], "nothing half-made");
    capture.assert_conforms();
}
