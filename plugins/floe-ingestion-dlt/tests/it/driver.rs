//! How the driver is run: its request (source settings, rows) on standard input, never its
//! command line, and what happens when it does not report.

use floe_core::plugin::categories::{Ingestion as _, PipelineSpec, SinkSpec};
use floe_core::process::ProcessError;
use floe_core::telemetry::attr;
use floe_ingestion_dlt::{DltError, DltPlugin, DriverError};
use floe_otel_testkit::fixtures::{planted_secret, write_executable};
use floe_otel_testkit::{Capture, expect};
use serde_json::json;

use crate::peer::Dlt;

/// A stand-in interpreter at `dir/name` running `body` (a shell script).
pub(crate) fn interpreter(dlt: &Dlt, name: &str, body: &str) -> String {
    let path = dlt.path(name);
    write_executable(&path, &format!("#!/bin/sh\n{body}\n")).expect("writing the stand-in");
    path
}

#[tokio::test]
async fn the_source_settings_reach_the_driver_on_stdin_and_never_on_its_command_line() {
    let dlt = Dlt::start();
    let secret = planted_secret();
    let mut config = dlt.config();
    // Records its arguments and its input, then reports success as the driver does.
    config.python = interpreter(
        &dlt,
        "python3",
        "printf '%s\\n' \"$@\" > \"$(dirname \"$0\")/argv\"\n\
         cat > \"$(dirname \"$0\")/stdin\"\n\
         echo 'FLOE_DLT_RESULT {\"ok\": true}'",
    );
    let spec = PipelineSpec {
        name: "orders_api".to_owned(),
        source_type: "rest_api".to_owned(),
        source: json!({ "base_url": format!("https://api.example/v1?api_key={secret}"), "resources": ["orders"] }),
        destination: "duckdb".to_owned(),
        dataset: "api".to_owned(),
    };
    let plugin = DltPlugin::new(config).expect("valid");
    let capture = Capture::start();
    plugin.create_pipeline(&spec).await.expect("created");
    let argv = std::fs::read_to_string(dlt.path("argv")).expect("the stand-in ran");
    assert!(argv.starts_with("-c\n"), "{argv}");
    assert!(!argv.contains(&secret) && !argv.contains("api.example"), "{argv}");
    let request: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dlt.path("stdin")).unwrap()).unwrap();
    assert_eq!(request["op"], "create");
    assert_eq!(request["source"]["base_url"], format!("https://api.example/v1?api_key={secret}"));
    capture.assert_one(expect::span("ingestion.create_pipeline").root().ok());
    capture.assert_no_secret(&secret);
}

#[tokio::test]
async fn rows_beyond_what_a_command_line_holds_are_written_to_a_sink() {
    let dlt = Dlt::start();
    let plugin = crate::plugin(&dlt);
    let sink = SinkSpec {
        name: "bulk_export".to_owned(),
        kind: "duckdb".to_owned(),
        settings: json!({ "dataset": "exports", "table": "bulk" }),
    };
    plugin.create_sink(&sink).await.expect("created");
    // About 300 KiB of JSON: one argument of that size fails with E2BIG (128 KiB at most).
    let rows: Vec<serde_json::Value> =
        (0..3000).map(|i| json!({ "id": i, "note": format!("{i:0>90}") })).collect();
    assert!(serde_json::to_string(&rows).unwrap().len() > 256 * 1024);
    let capture = Capture::start();
    let report = plugin.write("bulk_export", &rows).await.expect("written");
    assert_eq!(report.rows_written, 3000);
    assert_eq!(dlt.query("select count(*), max(id) from exports.bulk"), vec![vec!["3000", "2999"]]);
    capture.assert_one(
        expect::span("egress.write")
            .root()
            .scope("floe.ingestion.dlt")
            .floe_attributes()
            .ok()
            .attr(attr::EGRESS_SINK, "bulk_export")
            .attr(attr::EGRESS_ROWS_WRITTEN, 3000_i64),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn a_driver_that_ends_without_a_result_or_runs_too_long_is_an_error_span() {
    let dlt = Dlt::start();
    let mut crashing = dlt.config();
    crashing.python =
        interpreter(&dlt, "crashing-python", "echo 'Segmentation fault' >&2; exit 139");
    let mut hanging = dlt.config();
    hanging.python = interpreter(&dlt, "hanging-python", "exec sleep 30");
    hanging.timeout_secs = 1;
    let capture = Capture::start();

    let crashed = DltPlugin::new(crashing)
        .expect("valid")
        .run_pipeline(&dlt.orders_pipeline())
        .await
        .unwrap_err();
    let hung = DltPlugin::new(hanging)
        .expect("valid")
        .run_pipeline(&dlt.orders_pipeline())
        .await
        .unwrap_err();

    assert!(
        matches!(crashed, DltError::Driver { source: DriverError::NoResult { .. }, .. }),
        "{crashed:?}"
    );
    assert!(
        matches!(
            hung,
            DltError::Driver { source: DriverError::Process(ProcessError::Timeout { .. }), .. }
        ),
        "{hung:?}"
    );
    let run =
        || expect::span("ingestion.run").root().scope("floe.ingestion.dlt").exception("DltError");
    capture.assert_one(run().error_containing("without a result: Segmentation fault"));
    capture.assert_one(run().error_containing("did not finish within 1s and was stopped"));
    capture.assert_conforms();
}
