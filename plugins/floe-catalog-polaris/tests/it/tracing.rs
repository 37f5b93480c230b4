//! The spans of every operation, against the real catalog (lakana-server behind the
//! loopback token endpoint) unless lakana cannot do it: the plugin's span around
//! floe-iceberg's span of the REST call, the token request under the call that needed
//! it, truthful statuses on success and on every failure, and no client secret, access
//! token or vended credential anywhere.

use floe_catalog_polaris::PolarisError;
use floe_core::plugin::categories::Catalog as _;
use floe_core::plugin::{HealthStatus, Lifecycle as _};
use floe_core::telemetry::{SpanKind, attr};
use floe_iceberg::IcebergError;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::lakana::{ENVIRONMENT, lakana};
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};

use crate::peer::{self, TokenEndpoint};
use crate::{on_lakana, orders_spec, plugin, plugin_for, table, unique};

const SCOPE: &str = "floe.catalog.polaris";
const ICEBERG: &str = "floe.iceberg";

fn polaris_span(name: &str) -> expect::SpanExpectation {
    expect::span(name)
        .scope(SCOPE)
        .kind(SpanKind::Client)
        .floe_attributes()
        .attr(attr::CATALOG_NAME, "polaris")
        .attr(attr::CATALOG_URI, lakana().uri().trim_end_matches('/').to_owned())
        .attr(attr::CATALOG_WAREHOUSE, ENVIRONMENT)
}

fn iceberg_span(name: &str) -> expect::SpanExpectation {
    expect::span(name).scope(ICEBERG).kind(SpanKind::Client).floe_attributes()
}

fn token_span() -> expect::SpanExpectation {
    expect::span("catalog.fetch_token")
        .scope(SCOPE)
        .kind(SpanKind::Client)
        .floe_attributes()
        .attr(attr::CATALOG_NAME, "polaris")
        .attr(attr::SERVER_ADDRESS, "127.0.0.1")
}

/// Every secret of a run: the client secret and every token issued.
fn assert_no_credential(capture: &Capture, tokens: &TokenEndpoint, secret: &str) {
    capture.assert_secret_nowhere(secret, &[]);
    for token in tokens.issued_tokens() {
        capture.assert_no_secret(&token);
    }
}

#[tokio::test]
async fn connect_fetches_a_token_under_the_config_call_of_the_connect_span() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    let capture = Capture::start();

    plugin.connect().await.unwrap();

    capture.assert_tree(
        expect::tree(polaris_span("catalog.connect").root().ok())
            .child(
                expect::tree(iceberg_span("catalog.connect").ok())
                    .child(expect::tree(
                        token_span().ok().attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
                    ))
                    .exact(),
            )
            .exact(),
    );
    capture.assert_one(polaris_span("catalog.connect").root().ok());
    capture.spans().assert_conforms();
    capture.assert_nothing_escaped();
    assert_no_credential(&capture, &tokens, &secret);
}

#[tokio::test]
async fn refused_client_credentials_end_every_span_as_an_error_without_the_secret() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start("the-right-secret", Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    let capture = Capture::start();

    let error = plugin.connect().await.unwrap_err();

    assert!(
        matches!(error, PolarisError::Catalog { source: IcebergError::Token { .. }, .. }),
        "{error:?}"
    );
    let refused = "refused the credentials (401): invalid_client";
    assert!(error.to_string().ends_with(refused), "{error}");
    capture.assert_tree(
        expect::tree(polaris_span("catalog.connect").root().error_containing(refused)).child(
            expect::tree(iceberg_span("catalog.connect").error_containing(refused)).child(
                expect::tree(
                    token_span()
                        .attr(attr::HTTP_RESPONSE_STATUS_CODE, 401_i64)
                        .error_containing("no catalog token was obtained: token endpoint: ")
                        .exception("IcebergError"),
                ),
            ),
        ),
    );
    capture.assert_one(
        polaris_span("catalog.connect")
            .root()
            .error_containing("connect to warehouse floe failed: ")
            .exception("PolarisError"),
    );
    capture.spans().assert_conforms();
    // The token endpoint echoed the wrong secret in its error description.
    capture.assert_secret_nowhere(&secret, &[&error.to_string(), &format!("{error:?}")]);
    tokens.assert_no_violation();
}

#[tokio::test]
async fn namespace_operations_are_ok_spans_around_their_catalog_calls() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    plugin.connect().await.unwrap();
    let scratch = unique("traced");
    let capture = Capture::start();

    plugin.create_namespace(std::slice::from_ref(&scratch)).await.unwrap();
    plugin.list_namespaces(None).await.unwrap();
    plugin.delete_namespace(std::slice::from_ref(&scratch)).await.unwrap();

    capture.assert_none(expect::span("catalog.fetch_token"));
    let on_namespace = |span: expect::SpanExpectation| {
        span.root().ok().attr(attr::CATALOG_NAMESPACE, scratch.clone())
    };
    capture.assert_one(
        polaris_span("catalog.create_namespace")
            .root()
            .ok()
            .attr(attr::CATALOG_NAMESPACE, scratch.clone()),
    );
    capture.assert_one(
        polaris_span("catalog.drop_namespace")
            .root()
            .ok()
            .attr(attr::CATALOG_NAMESPACE, scratch.clone()),
    );
    capture.assert_tree(
        expect::tree(on_namespace(polaris_span("catalog.create_namespace")))
            .child(expect::tree(
                iceberg_span("catalog.create_namespace")
                    .ok()
                    .attr(attr::CATALOG_NAMESPACE, scratch.clone())
                    .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
            ))
            .exact(),
    );
    capture.assert_tree(
        expect::tree(on_namespace(polaris_span("catalog.drop_namespace")))
            .child(expect::tree(
                iceberg_span("catalog.drop_namespace")
                    .ok()
                    .attr(attr::CATALOG_NAMESPACE, scratch.clone())
                    .attr(attr::HTTP_RESPONSE_STATUS_CODE, 204_i64),
            ))
            .exact(),
    );
    capture.assert_one(
        polaris_span("catalog.list_namespaces").root().ok().no_attr(attr::CATALOG_NAMESPACE),
    );
    capture.spans().assert_conforms();
    assert_no_credential(&capture, &tokens, &secret);
}

#[tokio::test]
async fn namespace_operations_the_catalog_refuses_end_as_errors() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    let scratch = vec![unique("refused")];
    let missing = vec![unique("missing")];
    plugin.create_namespace(&scratch).await.unwrap();
    let capture = Capture::start();

    let again = plugin.create_namespace(&scratch).await.unwrap_err();
    let under_missing = plugin.list_namespaces(Some(&missing)).await.unwrap_err();
    let drop_missing = plugin.delete_namespace(&missing).await.unwrap_err();

    let catalog_error = |e: &PolarisError| match e {
        PolarisError::Catalog { source, .. } => Some(source.kind()),
        _ => None,
    };
    assert!(matches!(
        again,
        PolarisError::Catalog { source: IcebergError::AlreadyExists { .. }, .. }
    ));
    assert!(catalog_error(&under_missing).is_some(), "{under_missing:?}");
    assert!(catalog_error(&drop_missing).is_some(), "{drop_missing:?}");
    capture.assert_one(
        polaris_span("catalog.create_namespace")
            .root()
            .attr(attr::CATALOG_NAMESPACE, scratch[0].clone())
            .error_containing(format!(
                "create namespace {} failed: already exists (AlreadyExistsError)",
                scratch[0]
            ))
            .exception("PolarisError"),
    );
    capture.assert_one(
        polaris_span("catalog.list_namespaces")
            .root()
            .attr(attr::CATALOG_NAMESPACE, missing[0].clone())
            .error_containing(format!("list namespaces under {} failed: not found", missing[0]))
            .exception("PolarisError"),
    );
    capture.assert_one(
        polaris_span("catalog.drop_namespace")
            .root()
            .error_containing(format!("drop namespace {} failed: not found", missing[0]))
            .exception("PolarisError"),
    );
    capture.assert_one(
        iceberg_span("catalog.drop_namespace")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 404_i64)
            .error_containing("not found (NotFoundError)")
            .exception("IcebergError"),
    );
    capture.spans().assert_conforms();
    assert_no_credential(&capture, &tokens, &secret);
    plugin.delete_namespace(&scratch).await.unwrap();
}

#[tokio::test]
async fn table_operations_are_ok_spans_naming_namespace_and_table() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    plugin.connect().await.unwrap();
    let orders = table("bronze", &unique("orders"));
    let capture = Capture::start();

    plugin.create_table(&orders, &orders_spec()).await.unwrap();
    let listed = plugin.list_tables(&["bronze".to_owned()]).await.unwrap();
    plugin.drop_table(&orders, true).await.unwrap();

    assert!(listed.contains(&orders), "{listed:?}");
    let on_table = |span: expect::SpanExpectation| {
        span.root()
            .ok()
            .attr(attr::CATALOG_NAMESPACE, "bronze")
            .attr(attr::CATALOG_TABLE, orders.name.clone())
    };
    capture.assert_one(
        polaris_span("catalog.create_table")
            .root()
            .ok()
            .attr(attr::CATALOG_NAMESPACE, "bronze")
            .attr(attr::CATALOG_TABLE, orders.name.clone()),
    );
    capture.assert_one(
        polaris_span("catalog.drop_table")
            .root()
            .ok()
            .attr(attr::CATALOG_NAMESPACE, "bronze")
            .attr(attr::CATALOG_TABLE, orders.name.clone()),
    );
    capture.assert_tree(
        expect::tree(on_table(polaris_span("catalog.create_table")))
            .child(expect::tree(
                iceberg_span("catalog.create_table")
                    .ok()
                    .attr(attr::CATALOG_TABLE, orders.name.clone())
                    .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
            ))
            .exact(),
    );
    capture.assert_tree(
        expect::tree(on_table(polaris_span("catalog.drop_table")))
            .child(expect::tree(
                iceberg_span("catalog.drop_table")
                    .ok()
                    .attr(attr::CATALOG_TABLE, orders.name.clone())
                    .attr(attr::HTTP_RESPONSE_STATUS_CODE, 204_i64),
            ))
            .exact(),
    );
    capture.assert_one(
        polaris_span("catalog.list_tables")
            .root()
            .ok()
            .attr(attr::CATALOG_NAMESPACE, "bronze")
            .no_attr(attr::CATALOG_TABLE),
    );
    capture.assert_none(expect::span("catalog.fetch_token"));
    capture.spans().assert_conforms();
    assert_no_credential(&capture, &tokens, &secret);
}

#[tokio::test]
async fn table_operations_that_fail_end_as_errors() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    plugin.connect().await.unwrap();
    let varchar = table("bronze", &unique("varchar"));
    let absent = table("bronze", &unique("absent"));
    let missing = unique("missing");
    let mut not_iceberg = orders_spec();
    not_iceberg.partition_spec = Some(serde_json::json!({ "fields": "day(ts)" }));
    let mut unknown_type = orders_spec();
    unknown_type.schema["fields"][1]["type"] = serde_json::json!("varchar");
    let capture = Capture::start();

    let spec_error = plugin.create_table(&absent, &not_iceberg).await.unwrap_err();
    let refused = plugin.create_table(&varchar, &unknown_type).await.unwrap_err();
    let no_namespace = plugin.list_tables(std::slice::from_ref(&missing)).await.unwrap_err();
    let no_table = plugin.drop_table(&absent, false).await.unwrap_err();

    assert!(matches!(spec_error, PolarisError::TableSpec { .. }), "{spec_error:?}");
    for error in [&refused, &no_namespace, &no_table] {
        assert!(matches!(error, PolarisError::Catalog { .. }), "{error:?}");
    }
    capture.assert_one(
        polaris_span("catalog.create_table")
            .root()
            .attr(attr::CATALOG_TABLE, absent.name.clone())
            .error_containing(format!(
                "invalid table spec for bronze.{}: partition_spec is not an Iceberg partition spec",
                absent.name
            ))
            .exception("PolarisError"),
    );
    capture.assert_one(
        polaris_span("catalog.create_table")
            .root()
            .attr(attr::CATALOG_TABLE, varchar.name.clone())
            .error_containing(format!(
                "create table bronze.{} failed: catalog rejected the request with status 422 (ValidationError)",
                varchar.name
            ))
            .exception("PolarisError"),
    );
    capture.assert_count(iceberg_span("catalog.create_table"), 1);
    capture.assert_one(
        polaris_span("catalog.list_tables")
            .root()
            .attr(attr::CATALOG_NAMESPACE, missing.clone())
            .error_containing(format!("list tables of {missing} failed: not found"))
            .exception("PolarisError"),
    );
    capture.assert_one(
        polaris_span("catalog.drop_table")
            .root()
            .attr(attr::CATALOG_TABLE, absent.name.clone())
            .error_containing(format!("drop table bronze.{} failed: not found", absent.name))
            .exception("PolarisError"),
    );
    capture.spans().assert_conforms();
    assert_no_credential(&capture, &tokens, &secret);
}

#[tokio::test]
async fn a_revoked_token_shows_the_refused_call_the_new_token_and_the_retry() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    plugin.connect().await.unwrap();
    tokens.revoke_tokens();
    let capture = Capture::start();

    plugin.list_namespaces(None).await.unwrap();

    capture.assert_tree(
        expect::tree(polaris_span("catalog.list_namespaces").root().ok())
            .child(expect::tree(
                iceberg_span("catalog.list_namespaces")
                    .attr(attr::HTTP_RESPONSE_STATUS_CODE, 401_i64)
                    .error_containing("catalog refused the credentials (401)"),
            ))
            .child(
                expect::tree(iceberg_span("catalog.list_namespaces").ok())
                    .child(expect::tree(token_span().ok())),
            )
            .in_order()
            .exact(),
    );
    capture.spans().assert_conforms();
    assert_no_credential(&capture, &tokens, &secret);
}

#[tokio::test]
async fn vended_credentials_are_counted_never_recorded() {
    // lakana vends none: the loopback catalog vends them, in `storage-credentials`.
    let secret = planted_secret();
    let key = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    server.vend_storage(&[(
        "file:///warehouse/",
        &[("s3.access-key-id", "AKIAFLOETEST"), ("s3.secret-access-key", &key)],
    )]);
    let plugin = plugin(&server, &secret);
    plugin.create_namespace(&["bronze".to_owned()]).await.unwrap();
    plugin.create_table(&table("bronze", "orders"), &orders_spec()).await.unwrap();
    let capture = Capture::start();

    let vended = plugin.vend_credentials(&table("bronze", "orders")).await.unwrap();

    assert_eq!(vended.config.len(), 2);
    capture.assert_tree(
        expect::tree(
            expect::span("catalog.vend_credentials")
                .scope(SCOPE)
                .root()
                .ok()
                .floe_attributes()
                .attr(attr::CATALOG_NAMESPACE, "bronze")
                .attr(attr::CATALOG_TABLE, "orders")
                .attr(attr::CATALOG_CREDENTIAL_COUNT, 2_i64),
        )
        .child(expect::tree(iceberg_span("catalog.load_table").ok()))
        .exact(),
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&key, &[&format!("{vended:?}")]);
    capture.assert_no_secret(&secret);
    server.assert_no_violation();
}

#[tokio::test]
async fn a_catalog_failure_quoting_another_credential_is_sanitized_on_the_vend_span() {
    // lakana's errors quote no credential: the loopback catalog's injected failure does.
    let secret = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    let plugin = plugin(&server, &secret);
    plugin.create_namespace(&["bronze".to_owned()]).await.unwrap();
    let capture = Capture::start();

    server.fail_next(500);
    let error = plugin.vend_credentials(&table("bronze", "orders")).await.unwrap_err();

    // The client never sent that password, so only the sanitizer can remove it.
    let text = error.to_string();
    assert!(
        matches!(
            error,
            PolarisError::Catalog { source: IcebergError::Server { status: 500, .. }, .. }
        ),
        "{error:?}"
    );
    assert!(text.contains("postgres://<REDACTED>@db:5432/lake is down"), "{text}");
    capture.assert_one(
        expect::span("catalog.vend_credentials")
            .scope(SCOPE)
            .kind(SpanKind::Client)
            .root()
            .floe_attributes()
            .attr(attr::CATALOG_TABLE, "orders")
            .error_description(
                "load table bronze.orders with vended credentials failed: catalog failed the \
                 request with status 500 (InternalServerError): injected failure: metadata \
                 store postgres://<REDACTED>@db:5432/lake is down",
            )
            .exception("PolarisError"),
    );
    capture.assert_secret_nowhere(peer::catalog::STORE_PASSWORD, &[&text, &format!("{error:?}")]);
    capture.assert_no_secret(&secret);
    server.assert_no_violation();
}

#[tokio::test]
async fn a_load_that_vends_nothing_or_fails_ends_the_vend_span_as_an_error() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let plugin = on_lakana(&tokens, &secret);
    let orders = table("bronze", &unique("orders"));
    let absent = table("bronze", &unique("absent"));
    plugin.create_table(&orders, &orders_spec()).await.unwrap();
    let capture = Capture::start();

    let nothing = plugin.vend_credentials(&orders).await.unwrap_err();
    let missing = plugin.vend_credentials(&absent).await.unwrap_err();

    assert!(matches!(nothing, PolarisError::NoCredentials { .. }), "{nothing:?}");
    assert!(matches!(missing, PolarisError::Catalog { .. }), "{missing:?}");
    capture.assert_one(
        polaris_span("catalog.vend_credentials")
            .root()
            .attr(attr::CATALOG_TABLE, orders.name.clone())
            .attr(attr::CATALOG_CREDENTIAL_COUNT, 0_i64)
            .error_containing(format!(
                "catalog vended no storage credentials for bronze.{}",
                orders.name
            ))
            .exception("PolarisError"),
    );
    capture.assert_one(
        polaris_span("catalog.vend_credentials")
            .root()
            .attr(attr::CATALOG_TABLE, absent.name.clone())
            .no_attr(attr::CATALOG_CREDENTIAL_COUNT)
            .error_containing(format!(
                "load table bronze.{} with vended credentials failed: not found",
                absent.name
            ))
            .exception("PolarisError"),
    );
    capture.assert_one(
        iceberg_span("catalog.load_table").attr(attr::CATALOG_TABLE, orders.name.clone()).ok(),
    );
    capture.spans().assert_conforms();
    assert_no_credential(&capture, &tokens, &secret);
    plugin.drop_table(&orders, true).await.unwrap();
}

#[tokio::test]
async fn health_is_an_ok_span_for_a_live_catalog_and_an_unhealthy_error_for_a_dead_one() {
    let secret = planted_secret();
    let tokens = TokenEndpoint::start(&secret, Some(3600));
    let addr = closed_port();
    let mut dead = peer::lakana_config(&tokens, &secret);
    dead["uri"] = serde_json::json!(format!("http://{addr}/api/catalog"));
    let dead = plugin_for(dead).with_retry_policy(floe_core::http::RetryPolicy {
        max_attempts: 1,
        ..floe_core::http::RetryPolicy::default()
    });
    let capture = Capture::start();

    let healthy = on_lakana(&tokens, &secret).health_check().await;
    let unhealthy = dead.health_check().await;

    assert_eq!(healthy, HealthStatus::Healthy);
    let HealthStatus::Unhealthy { reason } = unhealthy else { panic!("unhealthy expected") };
    let expected = format!(
        "read the config of warehouse floe failed: request to the catalog failed: cannot connect to {addr}"
    );
    assert!(reason.starts_with(&expected), "{reason}");
    capture.assert_tree(
        expect::tree(polaris_span("catalog.health_check").root().ok())
            .child(
                expect::tree(iceberg_span("catalog.connect").ok())
                    .child(expect::tree(token_span().ok())),
            )
            .exact(),
    );
    capture.assert_one(polaris_span("catalog.health_check").root().ok());
    capture.assert_one(
        expect::span("catalog.health_check")
            .root()
            .scope(SCOPE)
            .floe_attributes()
            .attr(attr::CATALOG_URI, format!("http://{addr}/api/catalog"))
            .error_containing(&expected)
            .exception("unhealthy"),
    );
    capture.spans().assert_conforms();
    assert_no_credential(&capture, &tokens, &secret);
}
