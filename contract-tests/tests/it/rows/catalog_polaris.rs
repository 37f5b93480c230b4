//! floe-catalog-polaris: a real namespace round trip (token, config, create, list) against
//! the loopback Iceberg REST catalog with the `OAuth2` token endpoint its own tests use;
//! the forced failure is a principal whose client secret is the planted secret and that
//! the token endpoint refuses.

use contract_tests::Row;
use floe_catalog_polaris::{PolarisConfig, PolarisPlugin};
use floe_core::plugin::categories::Catalog as _;

use super::block_on;

#[path = "../../../../plugins/floe-catalog-polaris/tests/it/peer.rs"]
pub(crate) mod peer;

pub(crate) const ROW: Row = Row { package: "floe-catalog-polaris", succeed, fail };

fn plugin(server: &peer::TestCatalog, client_secret: &str) -> PolarisPlugin {
    let config: PolarisConfig = serde_json::from_value(peer::config(server, client_secret))
        .expect("the peer's config decodes");
    PolarisPlugin::new(&config).expect("the peer's config is valid")
}

fn succeed() {
    block_on(async {
        let server = peer::start("contract-client-secret", Some(3600)).await;
        let plugin = plugin(&server, "contract-client-secret");
        plugin.create_namespace(&["bronze".to_owned()]).await.expect("the namespace is created");
        let namespaces = plugin.list_namespaces(None).await.expect("the namespaces are listed");
        assert_eq!(namespaces, [vec!["bronze".to_owned()]]);
        server.assert_no_violation();
    });
}

fn fail(secret: &str) {
    block_on(async {
        let server = peer::start("the-right-client-secret", Some(3600)).await;
        let error = plugin(&server, secret).connect().await.expect_err("the secret is refused");
        floe_otel_testkit::leak::assert_text_clean("error message", &error.to_string(), secret);
        floe_otel_testkit::leak::assert_text_clean("error debug", &format!("{error:?}"), secret);
    });
}
