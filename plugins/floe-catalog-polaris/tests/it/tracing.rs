//! The spans of every operation: the plugin's span around floe-iceberg's span of the REST
//! call, the token request under the call that needed it, truthful statuses, and no client
//! secret, access token or vended credential anywhere.

use floe_core::plugin::categories::Catalog as _;
use floe_core::plugin::{HealthStatus, Lifecycle as _};
use floe_core::telemetry::{SpanKind, attr};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};

use crate::peer::{self, TestCatalog, WAREHOUSE};
use crate::{orders_spec, plugin, table};

const SCOPE: &str = "floe.catalog.polaris";
const ICEBERG: &str = "floe.iceberg";

fn polaris_span(name: &str, server: &TestCatalog) -> expect::SpanExpectation {
    expect::span(name)
        .scope(SCOPE)
        .kind(SpanKind::Client)
        .floe_attributes()
        .attr(attr::CATALOG_NAME, "polaris")
        .attr(attr::CATALOG_URI, server.uri().trim_end_matches('/').to_owned())
        .attr(attr::CATALOG_WAREHOUSE, WAREHOUSE)
}

fn iceberg_span(name: &str) -> expect::SpanExpectation {
    expect::span(name).scope(ICEBERG).kind(SpanKind::Client)
}

fn token_span(server: &TestCatalog) -> expect::SpanExpectation {
    // Host only: the port of a loopback peer changes with every run.
    let authority = server.uri().trim_start_matches("http://").trim_end_matches('/').to_owned();
    let host = authority.split(':').next().unwrap_or_default().to_owned();
    expect::span("catalog.fetch_token")
        .scope(SCOPE)
        .kind(SpanKind::Client)
        .floe_attributes()
        .attr(attr::CATALOG_NAME, "polaris")
        .attr(attr::SERVER_ADDRESS, host)
}

/// Every secret of a run: the client secret and every token the server issued.
fn assert_no_credential(capture: &Capture, server: &TestCatalog, secret: &str) {
    capture.assert_secret_nowhere(secret, &[]);
    for token in server.issued_tokens() {
        capture.assert_no_secret(&token);
    }
}

#[tokio::test]
async fn connect_fetches_a_token_under_the_config_call_of_the_connect_span() {
    let secret = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    let plugin = plugin(&server, &secret);
    let capture = Capture::start();

    plugin.connect().await.unwrap();

    capture.assert_tree(
        expect::tree(polaris_span("catalog.connect", &server).root().ok())
            .child(
                expect::tree(iceberg_span("catalog.connect").ok())
                    .child(expect::tree(
                        token_span(&server).ok().attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
                    ))
                    .exact(),
            )
            .exact(),
    );
    capture.spans().assert_conforms();
    capture.assert_nothing_escaped();
    assert_no_credential(&capture, &server, &secret);
}

#[tokio::test]
async fn a_cached_token_makes_no_token_span_and_table_spans_name_namespace_and_table() {
    let secret = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    let plugin = plugin(&server, &secret);
    plugin.connect().await.unwrap();
    let capture = Capture::start();

    plugin.create_namespace(&["bronze".to_owned()]).await.unwrap();
    plugin.create_table(&table("bronze", "orders"), &orders_spec()).await.unwrap();
    plugin.list_tables(&["bronze".to_owned()]).await.unwrap();
    plugin.drop_table(&table("bronze", "orders"), false).await.unwrap();

    capture.assert_none(expect::span("catalog.fetch_token"));
    let on_table = |name: &str| {
        polaris_span(name, &server)
            .root()
            .ok()
            .attr(attr::CATALOG_NAMESPACE, "bronze")
            .attr(attr::CATALOG_TABLE, "orders")
    };
    capture.assert_tree(
        expect::tree(on_table("catalog.create_table"))
            .child(expect::tree(iceberg_span("catalog.create_table").ok()))
            .exact(),
    );
    capture.assert_tree(
        expect::tree(on_table("catalog.drop_table"))
            .child(expect::tree(iceberg_span("catalog.drop_table").ok()))
            .exact(),
    );
    capture.assert_one(
        polaris_span("catalog.create_namespace", &server)
            .root()
            .ok()
            .attr(attr::CATALOG_NAMESPACE, "bronze")
            .no_attr(attr::CATALOG_TABLE),
    );
    capture.assert_one(
        polaris_span("catalog.list_tables", &server)
            .root()
            .ok()
            .attr(attr::CATALOG_NAMESPACE, "bronze"),
    );
    capture.spans().assert_conforms();
    assert_no_credential(&capture, &server, &secret);
}

#[tokio::test]
async fn a_revoked_token_shows_the_refused_call_the_new_token_and_the_retry() {
    let secret = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    let plugin = plugin(&server, &secret);
    plugin.connect().await.unwrap();
    server.revoke_tokens();
    let capture = Capture::start();

    plugin.list_namespaces(None).await.unwrap();

    capture.assert_tree(
        expect::tree(polaris_span("catalog.list_namespaces", &server).root().ok())
            .child(expect::tree(
                iceberg_span("catalog.list_namespaces")
                    .error_containing("catalog refused the credentials (401)"),
            ))
            .child(
                expect::tree(iceberg_span("catalog.list_namespaces").ok())
                    .child(expect::tree(token_span(&server).ok())),
            )
            .in_order()
            .exact(),
    );
    capture.spans().assert_conforms();
    assert_no_credential(&capture, &server, &secret);
}

#[tokio::test]
async fn refused_client_credentials_end_every_span_as_an_error_without_the_secret() {
    let secret = planted_secret();
    let server = peer::start("the-right-secret", Some(3600)).await;
    let plugin = plugin(&server, &secret);
    let capture = Capture::start();

    let error = plugin.connect().await.unwrap_err();

    let refused = "the token endpoint refused the client credentials (401 invalid_client)";
    assert!(error.to_string().ends_with(refused), "{error}");
    capture.assert_tree(
        expect::tree(polaris_span("catalog.connect", &server).root().error_containing(refused))
            .child(
                expect::tree(iceberg_span("catalog.connect").error_containing(refused)).child(
                    expect::tree(
                        token_span(&server)
                            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 401_i64)
                            .error_description(format!("no catalog token was obtained: {refused}"))
                            .exception("IcebergError"),
                    ),
                ),
            ),
    );
    capture.spans().assert_conforms();
    // The server echoed the wrong secret in its error description.
    capture.assert_secret_nowhere(&secret, &[&error.to_string(), &format!("{error:?}")]);
}

#[tokio::test]
async fn vended_credentials_are_counted_never_recorded() {
    let secret = planted_secret();
    let key = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    server.vend(&[("s3.access-key-id", "AKIAFLOETEST"), ("s3.secret-access-key", &key)]);
    let plugin = plugin(&server, &secret);
    plugin.create_namespace(&["bronze".to_owned()]).await.unwrap();
    plugin.create_table(&table("bronze", "orders"), &orders_spec()).await.unwrap();
    let capture = Capture::start();

    let vended = plugin.vend_credentials(&table("bronze", "orders")).await.unwrap();

    assert_eq!(vended.config.len(), 2);
    capture.assert_tree(
        expect::tree(
            polaris_span("catalog.vend_credentials", &server)
                .root()
                .ok()
                .attr(attr::CATALOG_TABLE, "orders")
                .attr(attr::CATALOG_CREDENTIAL_COUNT, 2_i64),
        )
        .child(expect::tree(iceberg_span("catalog.load_table").ok()))
        .exact(),
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&key, &[&format!("{vended:?}")]);
    assert_no_credential(&capture, &server, &secret);
}

#[tokio::test]
async fn a_load_without_credentials_ends_the_vend_span_as_an_error() {
    let secret = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    let plugin = plugin(&server, &secret);
    plugin.create_namespace(&["bronze".to_owned()]).await.unwrap();
    plugin.create_table(&table("bronze", "orders"), &orders_spec()).await.unwrap();
    let capture = Capture::start();

    plugin.vend_credentials(&table("bronze", "orders")).await.unwrap_err();

    capture.assert_one(
        polaris_span("catalog.vend_credentials", &server)
            .root()
            .attr(attr::CATALOG_CREDENTIAL_COUNT, 0_i64)
            .error_containing("catalog vended no storage credentials for bronze.orders")
            .exception("PolarisError"),
    );
    capture.assert_one(iceberg_span("catalog.load_table").ok());
}

#[tokio::test]
async fn health_is_an_ok_span_for_a_live_catalog_and_an_error_span_for_a_dead_one() {
    let secret = planted_secret();
    let server = peer::start(&secret, Some(3600)).await;
    let addr = closed_port();
    let mut dead = peer::config(&server, &secret);
    dead["uri"] = serde_json::json!(format!("http://{addr}/api/catalog"));
    let dead =
        floe_catalog_polaris::PolarisPlugin::new(&serde_json::from_value(dead).unwrap()).unwrap();
    let capture = Capture::start();

    let healthy = plugin(&server, &secret).health_check().await;
    let unhealthy = dead.health_check().await;

    assert_eq!(healthy, HealthStatus::Healthy);
    let HealthStatus::Unhealthy { reason } = unhealthy else { panic!("unhealthy expected") };
    assert!(
        reason
            .starts_with("read the config of warehouse lake failed: request to the catalog failed"),
        "{reason}"
    );
    capture.assert_one(polaris_span("catalog.health_check", &server).root().ok());
    capture.assert_one(
        expect::span("catalog.health_check")
            .root()
            .scope(SCOPE)
            .attr(attr::CATALOG_URI, format!("http://{addr}/api/catalog"))
            .error_containing("request to the catalog failed"),
    );
    capture.spans().assert_conforms();
    assert_no_credential(&capture, &server, &secret);
}
