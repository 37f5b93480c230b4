//! The peer of the Polaris tests: floe-iceberg's loopback Iceberg REST catalog (which
//! checks every request against the REST specification), with the `OAuth2` token endpoint
//! and credential vending Polaris adds. Shared with the contract row.

use serde_json::json;

#[path = "../../../../packages/floe-iceberg/tests/it/server.rs"]
#[expect(
    dead_code,
    reason = "each including test crate uses a different part of the shared server"
)]
mod catalog;

pub(crate) use catalog::{TestCatalog, WAREHOUSE};

/// The principal's client id.
pub(crate) const CLIENT_ID: &str = "floe-principal";

/// A catalog whose token endpoint knows [`CLIENT_ID`] with `client_secret`, issuing
/// tokens that expire after `expires_in` seconds. The static token of floe-iceberg's tests
/// is a random value no test sends.
pub(crate) async fn start(client_secret: &str, expires_in: Option<u64>) -> TestCatalog {
    let server = TestCatalog::start(&format!("unused-{}", std::process::id())).await;
    server.add_oauth_client(CLIENT_ID, client_secret, expires_in);
    server
}

/// The plugin config for `server`, authenticating with `client_secret`.
pub(crate) fn config(server: &TestCatalog, client_secret: &str) -> serde_json::Value {
    json!({
        "uri": server.uri(),
        "warehouse": WAREHOUSE,
        "client_id": CLIENT_ID,
        "client_secret": client_secret,
        "timeout_secs": 5,
    })
}
