//! Tests of the Polaris catalog plugin against floe-iceberg's loopback Iceberg REST
//! catalog with the `OAuth2` token endpoint: the protocol, configuration, and the spans of
//! every operation.

mod catalog;
mod config;
mod peer;
mod tracing;

use floe_catalog_polaris::{PolarisConfig, PolarisPlugin};

/// The plugin for `server`, authenticating with `client_secret`.
fn plugin(server: &peer::TestCatalog, client_secret: &str) -> PolarisPlugin {
    let config: PolarisConfig = serde_json::from_value(peer::config(server, client_secret))
        .expect("the peer's config decodes");
    PolarisPlugin::new(&config).expect("the peer's config is valid")
}

/// A two-column Iceberg schema.
fn orders_spec() -> floe_core::plugin::categories::TableSpec {
    floe_core::plugin::categories::TableSpec {
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

fn table(namespace: &str, name: &str) -> floe_core::plugin::categories::TableIdent {
    floe_core::plugin::categories::TableIdent {
        namespace: vec![namespace.to_owned()],
        name: name.to_owned(),
    }
}
