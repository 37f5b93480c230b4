//! What lakana cannot do, against floe-iceberg's spec-checked loopback catalog: vended
//! storage credentials (in `config` and in `storage-credentials`), loads that ask for no
//! delegation, and a token whose short lifetime the client acts on (the loopback records
//! which token each call carried).

use std::time::Duration;

use floe_catalog_polaris::PolarisError;
use floe_core::plugin::PluginErrorKind;
use floe_core::plugin::categories::Catalog as _;
use floe_otel_testkit::fixtures::planted_secret;

use crate::peer;
use crate::{orders_spec, plugin, plugin_for, table};

#[tokio::test]
async fn credentials_vended_in_config_are_returned_as_secrets() {
    let secret = planted_secret();
    let key = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    server.vend(&[
        ("s3.access-key-id", "AKIAFLOETEST"),
        ("s3.secret-access-key", &key),
        ("s3.session-token", "FLOETEST-session"),
    ]);
    let plugin = plugin(&server, &secret);
    plugin.create_namespace(&["bronze".to_owned()]).await.unwrap();
    plugin.create_table(&table("bronze", "orders"), &orders_spec()).await.unwrap();

    let vended = plugin.vend_credentials(&table("bronze", "orders")).await.unwrap();

    let keys: Vec<&str> = vended.config.keys().map(String::as_str).collect();
    assert_eq!(keys, ["s3.access-key-id", "s3.secret-access-key", "s3.session-token"]);
    assert_eq!(vended.config["s3.secret-access-key"].expose(), &key);
    assert!(!format!("{vended:?}").contains(&key), "Debug shows no credential");
    let token = format!("Bearer {}", server.issued_tokens()[0]);
    for seen in server.seen().iter().filter(|s| s.path != "/v1/oauth/tokens") {
        assert_eq!(seen.authorization.as_deref(), Some(token.as_str()), "{}", seen.path);
        assert_eq!(seen.access_delegation.as_deref(), Some("vended-credentials"), "{}", seen.path);
    }
    server.assert_no_violation();
}

#[tokio::test]
async fn storage_credentials_for_the_table_location_are_read_before_config() {
    let secret = planted_secret();
    let key = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    server.vend(&[("s3.access-key-id", "AKIA-from-config"), ("client.region", "eu-west-1")]);
    server.vend_storage(&[
        (
            "file:///warehouse/bronze/",
            &[("s3.access-key-id", "AKIA-bronze"), ("s3.secret-access-key", &key)],
        ),
        ("file:///warehouse/silver/", &[("s3.access-key-id", "AKIA-silver")]),
    ]);
    let plugin = plugin(&server, &secret);
    plugin.create_namespace(&["bronze".to_owned()]).await.unwrap();
    plugin.create_table(&table("bronze", "orders"), &orders_spec()).await.unwrap();

    let vended = plugin.vend_credentials(&table("bronze", "orders")).await.unwrap();

    let values: Vec<(&str, &str)> =
        vended.config.iter().map(|(k, v)| (k.as_str(), v.expose().as_str())).collect();
    assert_eq!(
        values,
        [
            ("client.region", "eu-west-1"),
            ("s3.access-key-id", "AKIA-bronze"),
            ("s3.secret-access-key", key.as_str()),
        ]
    );
    server.assert_no_violation();
}

#[tokio::test]
async fn without_credential_vending_no_request_asks_for_delegation() {
    let secret = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    server.vend(&[("s3.access-key-id", "AKIAFLOETEST")]);
    let mut config = peer::config(&server, &secret);
    config["credential_vending"] = serde_json::json!(false);
    let plugin = plugin_for(config);
    plugin.create_namespace(&["bronze".to_owned()]).await.unwrap();
    plugin.create_table(&table("bronze", "orders"), &orders_spec()).await.unwrap();

    let error = plugin.vend_credentials(&table("bronze", "orders")).await.unwrap_err();

    assert!(matches!(error, PolarisError::NoCredentials { .. }), "{error:?}");
    assert_eq!(error.kind(), PluginErrorKind::NotFound);
    for seen in server.seen() {
        assert_eq!(seen.access_delegation, None, "{} {}", seen.method, seen.path);
    }
    server.assert_no_violation();
}

#[tokio::test]
async fn a_short_lived_token_is_reused_until_its_margin_then_refreshed() {
    let secret = planted_secret();
    // Valid for 2 s; the plugin stops using it after half of that.
    let server = peer::start(&secret, Some(2)).await;
    let plugin = plugin(&server, &secret);

    plugin.connect().await.unwrap();
    plugin.list_namespaces(None).await.unwrap();
    assert_eq!(server.token_requests().0, 1, "reused while valid");
    // Waiting out the token's lifetime, not waiting for spans.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    plugin.list_namespaces(None).await.unwrap();

    assert_eq!(server.token_requests().0, 2, "refreshed once its time is up");
    let issued = server.issued_tokens();
    let last = server.seen().into_iter().rev().find(|s| s.path.ends_with("/namespaces")).unwrap();
    assert_eq!(last.authorization, Some(format!("Bearer {}", issued[1])), "the new token is used");
    assert_eq!(server.token_requests().1, ["PRINCIPAL_ROLE:ALL", "PRINCIPAL_ROLE:ALL"]);
    server.assert_no_violation();
}
