//! The protocol: client-credentials tokens (cached, refreshed on expiry and after a 401),
//! namespaces and tables through the `Catalog` trait, and vended credentials.

use floe_catalog_polaris::PolarisError;
use floe_core::plugin::PluginErrorKind;
use floe_core::plugin::categories::Catalog as _;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;

use crate::peer::{self, CLIENT_ID, WAREHOUSE};
use crate::{orders_spec, plugin, table};

#[tokio::test]
async fn a_token_is_fetched_once_and_reused_while_it_is_valid() {
    let secret = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    let plugin = plugin(&server, &secret);

    let info = plugin.connect().await.unwrap();
    plugin.create_namespace(&["bronze".to_owned()]).await.unwrap();
    plugin.list_namespaces(None).await.unwrap();

    assert_eq!(info.uri, server.uri().trim_end_matches('/'));
    assert_eq!(info.warehouse.as_deref(), Some(WAREHOUSE));
    let (requests, scopes) = server.token_requests();
    assert_eq!(requests, 1, "one token for three calls");
    assert_eq!(scopes, ["PRINCIPAL_ROLE:ALL"]);
    let token = format!("Bearer {}", server.issued_tokens()[0]);
    for seen in server.seen().iter().filter(|s| s.path != "/v1/oauth/tokens") {
        assert_eq!(seen.authorization.as_deref(), Some(token.as_str()), "{}", seen.path);
        assert_eq!(seen.access_delegation.as_deref(), Some("vended-credentials"), "{}", seen.path);
    }
    server.assert_no_violation();
}

#[tokio::test]
async fn an_expired_token_is_replaced_before_the_next_call() {
    let secret = planted_secret();
    let server = peer::start(&secret, Some(0)).await;
    let plugin = plugin(&server, &secret);

    plugin.connect().await.unwrap();
    plugin.list_namespaces(None).await.unwrap();
    plugin.list_namespaces(None).await.unwrap();

    assert_eq!(server.token_requests().0, 3, "a token that expires at once is never reused");
    server.assert_no_violation();
}

#[tokio::test]
async fn a_revoked_token_is_replaced_and_the_call_sent_once_more() {
    let secret = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    let plugin = plugin(&server, &secret);
    plugin.create_namespace(&["bronze".to_owned()]).await.unwrap();
    server.revoke_tokens();

    let namespaces = plugin.list_namespaces(None).await.unwrap();

    assert_eq!(namespaces, [vec!["bronze".to_owned()]]);
    assert_eq!(server.token_requests().0, 2, "one new token after the 401");
    let lists = server
        .seen()
        .iter()
        .filter(|s| s.method == "GET" && s.path.ends_with("/namespaces"))
        .count();
    assert_eq!(lists, 2, "the list is sent once more");
    server.assert_no_violation();
}

#[tokio::test]
async fn a_rotated_client_secret_fails_after_one_new_token_request() {
    let secret = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    let plugin = plugin(&server, &secret);
    plugin.create_namespace(&["bronze".to_owned()]).await.unwrap();
    server.revoke_tokens();
    server.add_oauth_client(CLIENT_ID, "rotated", Some(3600));

    let error = plugin.list_namespaces(None).await.unwrap_err();

    assert_eq!(error.kind(), PluginErrorKind::Unauthorized, "{error}");
    assert_eq!(
        error.to_string(),
        "list namespaces failed: no catalog token was obtained: the token endpoint refused the client credentials (401 invalid_client)"
    );
    assert_eq!(server.token_requests().0, 2, "no loop of token requests");
    assert_text_clean("error", &error.to_string(), &secret);
}

#[tokio::test]
async fn namespaces_and_tables_round_trip_through_the_catalog_trait() {
    let secret = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    let plugin = plugin(&server, &secret);
    let bronze = vec!["bronze".to_owned()];

    plugin.create_namespace(&bronze).await.unwrap();
    plugin.create_namespace(&["bronze".to_owned(), "raw".to_owned()]).await.unwrap();
    plugin.create_table(&table("bronze", "orders"), &orders_spec()).await.unwrap();
    let top = plugin.list_namespaces(None).await.unwrap();
    let nested = plugin.list_namespaces(Some(&bronze)).await.unwrap();
    let tables = plugin.list_tables(&bronze).await.unwrap();
    let not_empty = plugin.delete_namespace(&bronze).await.unwrap_err();
    plugin.drop_table(&table("bronze", "orders"), true).await.unwrap();
    plugin.delete_namespace(&["bronze".to_owned(), "raw".to_owned()]).await.unwrap();
    plugin.delete_namespace(&bronze).await.unwrap();

    assert_eq!(top, std::slice::from_ref(&bronze));
    assert_eq!(nested, [vec!["bronze".to_owned(), "raw".to_owned()]]);
    assert_eq!(tables, [table("bronze", "orders")]);
    assert!(
        not_empty.to_string().starts_with("drop namespace bronze failed: already exists"),
        "{not_empty}"
    );
    assert!(plugin.list_namespaces(None).await.unwrap().is_empty());
    let purge =
        server.seen().into_iter().find(|s| s.method == "DELETE" && s.path.ends_with("/orders"));
    assert_eq!(purge.map(|s| s.query).as_deref(), Some("purgeRequested=true"));
    server.assert_no_violation();
}

#[tokio::test]
async fn a_table_spec_that_is_not_iceberg_is_refused_before_any_call() {
    let secret = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    let plugin = plugin(&server, &secret);
    let mut spec = orders_spec();
    spec.schema = serde_json::json!({ "type": "struct", "columns": [] });

    let error = plugin.create_table(&table("bronze", "orders"), &spec).await.unwrap_err();

    assert!(matches!(error, PolarisError::TableSpec { .. }), "{error}");
    assert!(
        error.to_string().starts_with(
            "invalid table spec for bronze.orders: schema is not an Iceberg struct schema"
        ),
        "{error}"
    );
    assert_eq!(server.token_requests().0, 0);
}

#[tokio::test]
async fn vended_credentials_are_returned_as_secrets() {
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
    server.assert_no_violation();
}

#[tokio::test]
async fn a_load_that_vends_nothing_is_an_error() {
    let secret = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    let plugin = plugin(&server, &secret);
    plugin.create_namespace(&["bronze".to_owned()]).await.unwrap();
    plugin.create_table(&table("bronze", "orders"), &orders_spec()).await.unwrap();

    let error = plugin.vend_credentials(&table("bronze", "orders")).await.unwrap_err();

    assert!(matches!(error, PolarisError::NoCredentials { .. }), "{error}");
    assert!(
        error.to_string().starts_with("catalog vended no storage credentials for bronze.orders")
    );
}

#[tokio::test]
async fn without_credential_vending_no_request_asks_for_delegation() {
    let secret = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    server.vend(&[("s3.access-key-id", "AKIAFLOETEST")]);
    let mut config = peer::config(&server, &secret);
    config["credential_vending"] = serde_json::json!(false);
    let config: floe_catalog_polaris::PolarisConfig = serde_json::from_value(config).unwrap();
    let plugin = floe_catalog_polaris::PolarisPlugin::new(&config).unwrap();
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
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    plugin.list_namespaces(None).await.unwrap();

    assert_eq!(server.token_requests().0, 2, "refreshed once its time is up");
    let issued = server.issued_tokens();
    let last = server.seen().into_iter().rev().find(|s| s.path.ends_with("/namespaces")).unwrap();
    assert_eq!(last.authorization, Some(format!("Bearer {}", issued[1])), "the new token is used");
    server.assert_no_violation();
}
