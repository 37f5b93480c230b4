//! floe-catalog-polaris: a real table round trip (token, config, create, list, drop)
//! against the real Iceberg REST catalog `lakana-server` 0.20.0, with the loopback
//! `OAuth2` token endpoint its own tests use (lakana serves none); the forced failure is a
//! principal whose client secret is the planted secret and that the token endpoint
//! refuses.

use contract_tests::Row;
use floe_catalog_polaris::{PolarisConfig, PolarisPlugin};
use floe_core::plugin::categories::{Catalog as _, TableIdent, TableSpec};

use super::block_on;

#[path = "../../../../plugins/floe-catalog-polaris/tests/it/peer.rs"]
#[expect(
    dead_code,
    reason = "the token request counters, revocation and secret rotation serve the plugin's own tests"
)]
pub(crate) mod peer;

pub(crate) const ROW: Row = Row { package: "floe-catalog-polaris", succeed, fail };

fn plugin(tokens: &peer::TokenEndpoint, client_secret: &str) -> PolarisPlugin {
    let config: PolarisConfig = serde_json::from_value(peer::lakana_config(tokens, client_secret))
        .expect("the peer's config decodes");
    PolarisPlugin::new(&config).expect("the peer's config is valid")
}

fn succeed() {
    block_on(async {
        let tokens = peer::TokenEndpoint::start("contract-client-secret", Some(3600));
        let plugin = plugin(&tokens, "contract-client-secret");
        // The catalog is this process's own: a fixed name keeps the snapshot stable.
        let orders =
            TableIdent { namespace: vec!["bronze".to_owned()], name: "contract_orders".to_owned() };
        let spec = TableSpec {
            schema: serde_json::json!({
                "type": "struct",
                "fields": [{ "id": 1, "name": "id", "type": "long", "required": true }]
            }),
            partition_spec: None,
            properties: std::collections::BTreeMap::new(),
        };
        plugin.create_table(&orders, &spec).await.expect("the table is created");
        let tables = plugin.list_tables(&orders.namespace).await.expect("the tables are listed");
        assert!(tables.contains(&orders), "{tables:?}");
        plugin.drop_table(&orders, true).await.expect("the table is dropped");
        tokens.assert_no_violation();
    });
}

fn fail(secret: &str) {
    block_on(async {
        let tokens = peer::TokenEndpoint::start("the-right-client-secret", Some(3600));
        let error = plugin(&tokens, secret).connect().await.expect_err("the secret is refused");
        floe_otel_testkit::leak::assert_text_clean("error message", &error.to_string(), secret);
        floe_otel_testkit::leak::assert_text_clean("error debug", &format!("{error:?}"), secret);
    });
}
