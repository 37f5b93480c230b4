//! Tests of the Cube plugin: the data model generated from the manifest dbt writes for the
//! example project, judged by Cube's own compiler and queried on the DuckDB database dbt
//! built; deployment configuration; configuration errors; and the spans of every operation
//! against a loopback server answering `/readyz` as Cube documents it.

mod config;
mod cube;
mod deploy;
mod judge;
mod peer;
mod schema;
mod tracing;
mod warehouse;

use floe_semantic_cube::{CubeConfig, CubePlugin};

/// The plugin for a server at `server_url`.
fn plugin(server_url: &str) -> CubePlugin {
    let config: CubeConfig =
        serde_json::from_value(peer::config(server_url)).expect("the test config decodes");
    CubePlugin::new(config).expect("the test config is valid")
}
