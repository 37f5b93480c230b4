//! Tests of the Cube plugin: the data model generated from a real dbt manifest and parsed
//! back, deployment configuration, configuration errors, and the spans of every operation
//! against a loopback Cube server.

mod config;
mod deploy;
mod peer;
mod schema;
mod tracing;

use floe_semantic_cube::{CubeConfig, CubePlugin};

/// The plugin for a server at `server_url`.
fn plugin(server_url: &str) -> CubePlugin {
    let config: CubeConfig =
        serde_json::from_value(peer::config(server_url)).expect("the test config decodes");
    CubePlugin::new(config).expect("the test config is valid")
}
