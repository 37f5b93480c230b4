//! floe-ingestion-dlt: a CSV file loaded into DuckDB by the pinned dlt (rows read back) and
//! rows written to a DuckDB sink; a forced failure: a REST API source on a closed port
//! with the planted secret as its bearer token.

#[path = "../../../../plugins/floe-ingestion-dlt/tests/it/peer.rs"]
mod peer;

use floe_core::plugin::categories::{Ingestion as _, PipelineSpec, SinkSpec};
use floe_ingestion_dlt::DltPlugin;
use floe_otel_testkit::peers::closed_port;
use serde_json::json;

use super::block_on;

pub(crate) const ROW: contract_tests::Row =
    contract_tests::Row { package: "floe-ingestion-dlt", succeed, fail };

fn succeed() {
    let dlt = peer::Dlt::start();
    let plugin = DltPlugin::new(dlt.config()).expect("a valid config");
    let sink = SinkSpec {
        name: "orders_export".to_owned(),
        kind: "duckdb".to_owned(),
        settings: json!({ "dataset": "exports" }),
    };
    block_on(async {
        let info = plugin.run_pipeline(&dlt.orders_pipeline()).await.expect("loaded");
        assert_eq!(info.rows_loaded, 3);
        plugin.create_sink(&sink).await.expect("created");
        plugin.write("orders_export", &[json!({ "id": 1 })]).await.expect("written");
    });
    assert_eq!(dlt.query("select count(*) from raw.orders"), vec![vec!["3"]]);
    assert_eq!(dlt.query("select id from exports.orders_export"), vec![vec!["1"]]);
}

fn fail(secret: &str) {
    let dlt = peer::Dlt::start();
    let mut config = dlt.config();
    config.max_attempts = 1;
    config.credentials.insert("orders_api".to_owned(), secret.to_owned().into());
    let plugin = DltPlugin::new(config).expect("a valid config");
    let spec = PipelineSpec {
        name: "orders_api".to_owned(),
        source_type: "rest_api".to_owned(),
        source: json!({ "base_url": format!("http://{}/", closed_port()), "resources": ["orders"] }),
        destination: "duckdb".to_owned(),
        dataset: "api".to_owned(),
    };
    block_on(plugin.run_pipeline(&spec)).expect_err("nothing listens");
}
