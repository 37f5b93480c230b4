//! floe-semantic-cube: a real readiness check against the loopback server its own tests
//! use, which answers `/readyz` as Cube documents it; the forced failure asks a server
//! whose data source is down, with the planted secret as the password in the server URL.

use contract_tests::Row;
use floe_core::plugin::categories::SemanticLayer as _;
use floe_semantic_cube::{CubeConfig, CubePlugin};

use super::block_on;

#[path = "../../../../plugins/floe-semantic-cube/tests/it/peer.rs"]
#[expect(dead_code, reason = "the row uses part of the shared peer")]
mod peer;

pub(crate) const ROW: Row = Row { package: "floe-semantic-cube", succeed, fail };

fn plugin(server_url: &str) -> CubePlugin {
    let config: CubeConfig =
        serde_json::from_value(peer::config(server_url)).expect("the peer's config decodes");
    CubePlugin::new(config).expect("the peer's config is valid")
}

fn succeed() {
    let server = peer::CubeServer::start(peer::DataSource::Up);
    block_on(plugin(&server.url()).health()).expect("the server is ready");
}

fn fail(secret: &str) {
    let server = peer::CubeServer::start(peer::DataSource::Down);
    let url = server.url().replace("http://", &format!("http://floe:{secret}@"));
    let error = block_on(plugin(&url).health()).expect_err("the server is not ready");
    floe_otel_testkit::leak::assert_text_clean("error message", &error.to_string(), secret);
}
