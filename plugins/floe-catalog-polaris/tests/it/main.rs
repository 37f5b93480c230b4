//! Tests of the Polaris catalog plugin: table operations against the real Iceberg REST
//! catalog `lakana-server` behind a loopback `OAuth2` token endpoint, vended credentials
//! against floe-iceberg's spec-checked loopback catalog, configuration, and the spans of
//! every operation.

mod catalog;
mod config;
mod peer;
mod tracing;
mod vending;

use floe_catalog_polaris::{PolarisConfig, PolarisPlugin};
use floe_core::plugin::categories::{TableIdent, TableSpec};

/// The plugin for `config` (a peer's config as JSON).
fn plugin_for(config: serde_json::Value) -> PolarisPlugin {
    let config: PolarisConfig = serde_json::from_value(config).expect("the peer's config decodes");
    PolarisPlugin::new(&config).expect("the peer's config is valid")
}

/// The plugin for the loopback catalog `server`, authenticating with `client_secret`.
fn plugin(server: &peer::TestCatalog, client_secret: &str) -> PolarisPlugin {
    plugin_for(peer::config(server, client_secret))
}

/// The plugin for the real catalog, its token endpoint `tokens`.
fn on_lakana(tokens: &peer::TokenEndpoint, client_secret: &str) -> PolarisPlugin {
    plugin_for(peer::lakana_config(tokens, client_secret))
}

/// A two-column Iceberg schema, partitioned by day.
fn orders_spec() -> TableSpec {
    TableSpec {
        schema: serde_json::json!({
            "type": "struct",
            "fields": [
                { "id": 1, "name": "id", "type": "long", "required": true },
                { "id": 2, "name": "ts", "type": "timestamp", "required": false }
            ]
        }),
        partition_spec: Some(serde_json::json!({
            "fields": [{ "source-id": 2, "field-id": 1000, "name": "ts_day", "transform": "day" }]
        })),
        properties: std::collections::BTreeMap::from([("owner".to_owned(), "floe".to_owned())]),
    }
}

fn table(namespace: &str, name: &str) -> TableIdent {
    TableIdent { namespace: vec![namespace.to_owned()], name: name.to_owned() }
}

/// A name no other test of this run uses (the tests share one lakana).
fn unique(name: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("{name}_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}
