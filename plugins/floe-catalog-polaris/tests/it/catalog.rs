//! The protocol against the real catalog (lakana-server behind the loopback token
//! endpoint): client-credentials tokens (cached, refreshed on expiry and after a real
//! revocation), namespaces and tables through the `Catalog` trait, what lakana refuses,
//! and a table load that vends nothing.

use floe_catalog_polaris::PolarisError;
use floe_core::plugin::PluginErrorKind;
use floe_core::plugin::categories::Catalog as _;
use floe_iceberg::IcebergError;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::lakana::{ENVIRONMENT, lakana};
use floe_otel_testkit::leak::assert_text_clean;

use crate::peer::{SCOPE, TokenEndpoint};
use crate::{on_lakana, orders_spec, table, unique};

#[tokio::test]
async fn a_token_is_fetched_once_and_reused_while_it_is_valid() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    let scratch = vec![unique("scratch")];

    let info = plugin.connect().await.unwrap();
    plugin.create_namespace(&scratch).await.unwrap();
    let namespaces = plugin.list_namespaces(None).await.unwrap();
    plugin.delete_namespace(&scratch).await.unwrap();

    assert_eq!(info.uri, lakana().uri().trim_end_matches('/'));
    assert_eq!(info.warehouse.as_deref(), Some(ENVIRONMENT));
    assert!(namespaces.contains(&scratch), "{namespaces:?}");
    assert_eq!(tokens.token_requests(), (1, vec![SCOPE.to_owned()]), "one token for four calls");
    tokens.assert_no_violation();
}

#[tokio::test]
async fn an_expired_token_is_replaced_before_the_next_call() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(0));
    let plugin = on_lakana(&tokens, &secret);

    plugin.connect().await.unwrap();
    plugin.list_namespaces(None).await.unwrap();
    plugin.list_namespaces(None).await.unwrap();

    assert_eq!(tokens.token_requests().0, 3, "a token that expires at once is never reused");
    tokens.assert_no_violation();
}

#[tokio::test]
async fn a_revoked_token_is_replaced_and_the_call_sent_once_more() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    let scratch = vec![unique("revoked")];
    plugin.create_namespace(&scratch).await.unwrap();
    // lakana itself refuses the token from now on.
    tokens.revoke_tokens();

    let namespaces = plugin.list_namespaces(None).await.unwrap();

    assert!(namespaces.contains(&scratch), "{namespaces:?}");
    assert_eq!(tokens.token_requests().0, 2, "one new token after the 401");
    plugin.delete_namespace(&scratch).await.unwrap();
    tokens.assert_no_violation();
}

#[tokio::test]
async fn a_rotated_client_secret_fails_after_one_new_token_request() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    plugin.connect().await.unwrap();
    tokens.revoke_tokens();
    tokens.rotate_secret("rotated");

    let error = plugin.list_namespaces(None).await.unwrap_err();

    assert_eq!(error.kind(), PluginErrorKind::Unauthorized, "{error}");
    let PolarisError::Catalog { source: IcebergError::Token { .. }, .. } = &error else {
        panic!("{error:?}")
    };
    let text = error.to_string();
    assert!(
        text.starts_with("list namespaces failed: no catalog token was obtained: token endpoint: "),
        "{text}"
    );
    assert!(text.ends_with("refused the credentials (401): invalid_client"), "{text}");
    assert_eq!(tokens.token_requests().0, 2, "no loop of token requests");
    assert_text_clean("error", &text, &secret);
    assert_text_clean("error", &format!("{error:?}"), &secret);
}

#[tokio::test]
async fn namespaces_and_tables_round_trip_through_the_catalog_trait() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    let scratch = vec![unique("scratch")];
    let nested = vec![scratch[0].clone(), "raw".to_owned()];
    let orders = table("bronze", &unique("orders"));

    plugin.create_namespace(&scratch).await.unwrap();
    plugin.create_namespace(&nested).await.unwrap();
    plugin.create_table(&orders, &orders_spec()).await.unwrap();
    let top = plugin.list_namespaces(None).await.unwrap();
    let children = plugin.list_namespaces(Some(&scratch)).await.unwrap();
    let tables = plugin.list_tables(&["bronze".to_owned()]).await.unwrap();
    let busy = plugin.delete_namespace(&["bronze".to_owned()]).await.unwrap_err();
    plugin.drop_table(&orders, true).await.unwrap();
    plugin.delete_namespace(&nested).await.unwrap();
    plugin.delete_namespace(&scratch).await.unwrap();

    assert!(top.contains(&scratch) && top.contains(&vec!["bronze".to_owned()]), "{top:?}");
    assert_eq!(children, [nested]);
    assert!(tables.contains(&orders), "{tables:?}");
    assert!(
        busy.to_string().starts_with("drop namespace bronze failed: namespace not empty"),
        "{busy}"
    );
    assert!(!plugin.list_tables(&["bronze".to_owned()]).await.unwrap().contains(&orders));
    assert!(!plugin.list_namespaces(None).await.unwrap().contains(&scratch));
    tokens.assert_no_violation();
}

#[tokio::test]
async fn a_table_spec_that_is_not_iceberg_is_refused_before_any_call() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    let mut spec = orders_spec();
    spec.schema = serde_json::json!({ "type": "struct", "columns": [] });

    let error = plugin.create_table(&table("bronze", &unique("orders")), &spec).await.unwrap_err();

    assert!(matches!(error, PolarisError::TableSpec { .. }), "{error}");
    assert!(error.to_string().contains(": schema is not an Iceberg struct schema"), "{error}");
    assert_eq!(tokens.token_requests().0, 0);
}

/// The loopback catalog these tests used before accepted any string as a column type
/// (the REST `OpenAPI` document does not list them); lakana judges the type by the
/// Iceberg table specification and refuses the table.
#[tokio::test]
async fn a_column_type_iceberg_does_not_know_is_refused_by_the_real_catalog() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    let orders = table("bronze", &unique("varchar"));
    let mut spec = orders_spec();
    spec.schema["fields"][1]["type"] = serde_json::json!("varchar");

    let error = plugin.create_table(&orders, &spec).await.unwrap_err();

    let PolarisError::Catalog { source: IcebergError::Rejected { status: 422, .. }, .. } = &error
    else {
        panic!("{error:?}")
    };
    assert!(error.to_string().contains("Unsupported field type: 'varchar'"), "{error}");
    assert!(!plugin.list_tables(&["bronze".to_owned()]).await.unwrap().contains(&orders));
}

#[tokio::test]
async fn tables_outside_bronze_silver_and_gold_are_refused_by_the_real_catalog() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    let scratch = vec![unique("elsewhere")];
    plugin.create_namespace(&scratch).await.unwrap();
    let elsewhere = floe_core::plugin::categories::TableIdent {
        namespace: scratch.clone(),
        name: "orders".to_owned(),
    };

    let error = plugin.create_table(&elsewhere, &orders_spec()).await.unwrap_err();

    assert_eq!(error.kind(), PluginErrorKind::Rejected, "{error}");
    assert!(error.to_string().contains("bronze, silver, or gold"), "{error}");
    plugin.delete_namespace(&scratch).await.unwrap();
}

#[tokio::test]
async fn a_load_from_a_catalog_that_vends_nothing_is_an_error() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    let orders = table("bronze", &unique("orders"));
    plugin.create_table(&orders, &orders_spec()).await.unwrap();

    let error = plugin.vend_credentials(&orders).await.unwrap_err();

    assert!(matches!(error, PolarisError::NoCredentials { .. }), "{error:?}");
    assert_eq!(error.kind(), PluginErrorKind::NotFound);
    assert!(
        error.to_string().starts_with(&format!(
            "catalog vended no storage credentials for bronze.{}",
            orders.name
        )),
        "{error}"
    );
    plugin.drop_table(&orders, true).await.unwrap();
}
