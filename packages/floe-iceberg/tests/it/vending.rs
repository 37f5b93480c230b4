//! Vended storage credentials on table loads: read from `storage-credentials` (the most
//! specific prefix of the table's location first) and from `config`, and never shown by
//! `Debug`. The loopback catalog vends them (lakana vends none).

use std::collections::BTreeMap;

use floe_iceberg::{Namespace, TableIdent};
use floe_otel_testkit::fixtures::planted_secret;

use crate::catalog::{loopback, loopback_config, orders};
use crate::server::TestCatalog;

#[tokio::test]
async fn a_loaded_table_shows_no_vended_credential_in_its_debug_output() {
    let (server, catalog) = loopback().await;
    let key = planted_secret();
    let session = planted_secret();
    server.vend(&[("s3.access-key-id", "AKIAFLOETEST"), ("s3.secret-access-key", &key)]);
    server.vend_storage(&[("file:///warehouse/", &[("s3.session-token", &session)])]);
    let bronze = Namespace::single("bronze");
    catalog.create_namespace(&bronze, BTreeMap::new()).await.unwrap();
    catalog.create_table(&bronze, &orders("orders")).await.unwrap();
    let delegating = floe_iceberg::RestCatalog::connect(
        loopback_config(&server)
            .with_header("X-Iceberg-Access-Delegation", "vended-credentials")
            .unwrap(),
    )
    .await
    .unwrap();

    let loaded = delegating.load_table(&TableIdent::new(bronze, "orders")).await.unwrap();

    assert_eq!(loaded.config["s3.secret-access-key"].expose(), &key);
    assert_eq!(loaded.storage_credentials[0].config["s3.session-token"].expose(), &session);
    let debug = format!("{loaded:?}");
    for secret in [&key, &session] {
        assert!(!debug.contains(secret.as_str()), "Debug shows a vended credential: {debug}");
    }
    assert!(debug.contains("s3.secret-access-key"), "the keys stay visible: {debug}");
    server.assert_no_violation();
}

#[tokio::test]
async fn storage_credentials_for_the_table_location_win_over_config_longest_prefix_first() {
    let server = TestCatalog::start(crate::catalog::TOKEN).await;
    server.vend(&[("s3.access-key-id", "from-config"), ("client.region", "eu-west-1")]);
    server.vend_storage(&[
        ("file:///warehouse/", &[("s3.access-key-id", "from-warehouse")]),
        ("file:///warehouse/bronze/", &[("s3.access-key-id", "from-bronze")]),
        ("file:///elsewhere/", &[("s3.access-key-id", "not-this-table"), ("x", "y")]),
    ]);
    let config = loopback_config(&server)
        .with_header("X-Iceberg-Access-Delegation", "vended-credentials")
        .unwrap();
    let catalog = floe_iceberg::RestCatalog::connect(config).await.unwrap();
    let bronze = Namespace::single("bronze");
    catalog.create_namespace(&bronze, BTreeMap::new()).await.unwrap();
    catalog.create_table(&bronze, &orders("orders")).await.unwrap();

    let loaded = catalog.load_table(&TableIdent::new(bronze, "orders")).await.unwrap();
    let vended = loaded.vended_config();

    let values: BTreeMap<&str, &str> =
        vended.iter().map(|(k, v)| (k.as_str(), v.expose().as_str())).collect();
    assert_eq!(
        values,
        BTreeMap::from([("client.region", "eu-west-1"), ("s3.access-key-id", "from-bronze")])
    );
    assert_eq!(loaded.storage_credentials.len(), 3, "all are read, only matching ones used");
    server.assert_no_violation();
}
