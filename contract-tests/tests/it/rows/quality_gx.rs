//! floe-quality-gx: a Great Expectations suite evaluated on a real DuckDB database of the
//! example seeds; the failure opens a database whose path carries the planted token.

use contract_tests::Row;
use floe_core::plugin::categories::QualityProvider as _;
use floe_quality_gx::{GxConfig, GxQualityProvider, GxSuite};

#[path = "../../../../plugins/floe-quality-gx/tests/it/peer.rs"]
#[expect(dead_code, reason = "the row uses part of the shared peer")]
mod peer;

pub(crate) const ROW: Row = Row { package: "floe-quality-gx", succeed, fail };

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime")
}

fn suite(json: &str) -> floe_core::plugin::categories::QualitySuite {
    GxSuite::from_json(json).expect("a valid suite").into_quality_suite("main.orders")
}

fn succeed() {
    let warehouse = peer::Warehouse::create();
    let provider = GxQualityProvider::new(GxConfig::new(warehouse.database()));
    let reports = runtime().block_on(provider.run_checks(&[suite(peer::STRICT_SUITE)]));
    assert_eq!(reports.expect("the suite runs")[0].fail_count(), 3);
}

fn fail(secret: &str) {
    let warehouse = peer::Warehouse::create();
    let database =
        format!("{}.missing/lake.duckdb?motherduck_token={secret}", warehouse.database());
    let provider = GxQualityProvider::new(GxConfig::new(database));
    let result = runtime().block_on(provider.run_checks(&[suite(peer::ORDERS_SUITE)]));
    assert!(result.is_err(), "a database that cannot be opened must fail the run");
}
