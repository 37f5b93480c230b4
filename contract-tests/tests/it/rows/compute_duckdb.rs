//! floe-compute-duckdb: a connection check on a real DuckDB database file, and a profile;
//! the failure plants the secret in a secret setting DuckDB echoes back.

use std::collections::BTreeMap;

use contract_tests::Row;
use floe_compute_duckdb::{DuckDbCompute, DuckDbConfig};
use floe_core::plugin::categories::Compute as _;
use floe_core::secret::Secret;

#[path = "../../../../plugins/floe-compute-duckdb/tests/it/peer.rs"]
#[expect(dead_code, reason = "helpers only the plugin's own tests use")]
mod peer;

pub(crate) const ROW: Row = Row { package: "floe-compute-duckdb", succeed, fail };

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime")
}

fn succeed() {
    let warehouse = peer::Warehouse::create();
    let compute =
        DuckDbCompute::new(DuckDbConfig::new(warehouse.path_setting())).expect("valid config");
    runtime().block_on(compute.validate_connection()).expect("the connection check passes");
    compute.generate_profile("dev").expect("a profile");
}

fn fail(secret: &str) {
    let warehouse = peer::Warehouse::create();
    let mut config = DuckDbConfig::new(warehouse.path_setting());
    config.secret_settings =
        BTreeMap::from([("threads".to_owned(), Secret::new(secret.to_owned()))]);
    let compute = DuckDbCompute::new(config).expect("valid config");
    let result = runtime().block_on(compute.validate_connection());
    assert!(result.is_err(), "a secret that is not a thread count must fail the check");
}
