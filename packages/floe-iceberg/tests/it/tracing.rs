//! The spans of catalog operations: names, parents, attributes, statuses on every failure
//! mode, and the token nowhere, against the loopback catalog and the real lakana catalog.

use std::collections::BTreeMap;

use floe_core::telemetry::{SpanKind, attr};
use floe_core::traced;
use floe_iceberg::telemetry::TRACER_NAME as ICEBERG_TRACER;
use floe_iceberg::{CatalogConfig, IcebergError, Namespace, RestCatalog, TableIdent};
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};

use crate::catalog::{
    TOKEN, lakana_config, loopback, loopback_config, orders, unique, with_amount,
};
use crate::server::{STORE_PASSWORD, TestCatalog, WAREHOUSE};
use floe_otel_testkit::lakana::{BOOTSTRAP_SECRET as SECRET, ENVIRONMENT};

/// The tracer of the callers below.
const TRACER_NAME: &str = "floe.test.pipeline";

/// A caller that evolves a schema inside its own span.
#[traced(name = "pipeline.migrate")]
async fn migrate(catalog: &RestCatalog, table: &TableIdent) -> Result<i32, IcebergError> {
    let loaded = catalog.load_table(table).await?;
    let evolved = catalog.evolve_schema(table, &loaded.metadata, with_amount()).await?;
    Ok(evolved.metadata.current_schema_id)
}

fn catalog_span(name: &str, uri: &str, warehouse: &str) -> expect::SpanExpectation {
    expect::span(name)
        .kind(SpanKind::Client)
        .scope(ICEBERG_TRACER)
        .floe_attributes()
        .attr(attr::CATALOG_URI, uri.trim_end_matches('/').to_owned())
        .attr(attr::CATALOG_WAREHOUSE, warehouse.to_owned())
}

#[tokio::test]
async fn a_commit_is_a_child_of_its_caller_with_catalog_attributes() {
    let (server, catalog) = loopback().await;
    let bronze = Namespace::single("bronze");
    catalog.create_namespace(&bronze, BTreeMap::new()).await.unwrap();
    catalog.create_table(&bronze, &orders("orders")).await.unwrap();
    let table = TableIdent::new(bronze, "orders");

    let capture = Capture::start();
    assert_eq!(migrate(&catalog, &table).await.unwrap(), 1);
    let uri = server.uri();
    let on_table = |name: &str| {
        catalog_span(name, &uri, WAREHOUSE)
            .ok()
            .attr(attr::CATALOG_NAMESPACE, "bronze")
            .attr(attr::CATALOG_TABLE, "orders")
    };
    capture.assert_tree(
        expect::tree(expect::span("pipeline.migrate").root().ok())
            .child(expect::tree(on_table("catalog.load_table")))
            .child(expect::tree(on_table("catalog.commit_table").parent("pipeline.migrate")))
            .in_order()
            .exact(),
    );
    capture.assert_no_secret(TOKEN);
    capture.assert_conforms_in(floe_iceberg::telemetry::TRACER_NAME);
    capture.assert_nothing_escaped();
    server.assert_no_violation();
}

#[tokio::test]
async fn connect_and_namespace_operations_record_uri_warehouse_and_namespace() {
    let server = TestCatalog::start(TOKEN).await;
    let capture = Capture::start();
    let catalog = RestCatalog::connect(loopback_config(&server)).await.unwrap();
    catalog.load_namespace(&Namespace::new(["lake", "bronze"])).await.unwrap_err();
    catalog.list_namespaces(None).await.unwrap();
    let uri = server.uri();
    capture.assert_one(catalog_span("catalog.connect", &uri, WAREHOUSE).ok().root());
    capture.assert_one(
        catalog_span("catalog.load_namespace", &uri, WAREHOUSE)
            .attr(attr::CATALOG_NAMESPACE, "lake.bronze")
            .error_containing("not found")
            .exception("IcebergError"),
    );
    capture.assert_one(
        catalog_span("catalog.list_namespaces", &uri, WAREHOUSE)
            .ok()
            .no_attr(attr::CATALOG_NAMESPACE),
    );
    capture.assert_no_secret(TOKEN);
    capture.assert_conforms_in(floe_iceberg::telemetry::TRACER_NAME);
}

#[tokio::test]
async fn not_found_conflict_unauthorized_and_server_errors_end_spans_as_sanitized_errors() {
    let (server, catalog) = loopback().await;
    let bronze = Namespace::single("bronze");
    catalog.create_namespace(&bronze, BTreeMap::new()).await.unwrap();
    let created = catalog.create_table(&bronze, &orders("orders")).await.unwrap();
    let table = TableIdent::new(bronze.clone(), "orders");
    catalog.evolve_schema(&table, &created.metadata, with_amount()).await.unwrap();
    let wrong =
        RestCatalog::connect(loopback_config(&server).with_token("FLOETEST-leaked-by-server"))
            .await
            .unwrap();

    let capture = Capture::start();
    let missing = catalog.load_table(&TableIdent::new(bronze.clone(), "missing")).await;
    let stale = catalog.evolve_schema(&table, &created.metadata, with_amount()).await;
    let denied = wrong.load_table(&table).await.unwrap_err();
    server.fail_next(500);
    let failed = catalog.list_tables(&Namespace::single("bronze")).await.unwrap_err();
    let busy = catalog.drop_namespace(&bronze).await.unwrap_err();

    assert!(matches!(missing, Err(IcebergError::NotFound { .. })), "{missing:?}");
    assert!(matches!(stale, Err(IcebergError::CommitConflict { .. })), "{stale:?}");
    assert!(matches!(denied, IcebergError::Unauthorized { status: 401, .. }), "{denied:?}");
    assert!(matches!(failed, IcebergError::Server { status: 500, .. }), "{failed:?}");
    assert!(matches!(busy, IcebergError::NotEmpty { .. }), "{busy:?}");
    // The catalog echoed the token it refused; the error keeps its words, not the token.
    let text = denied.to_string();
    assert!(
        text.starts_with("catalog refused the credentials (401): invalid credentials: "),
        "{text}"
    );
    for shown in [text, format!("{denied:?}")] {
        assert!(!shown.contains("FLOETEST-leaked-by-server"), "{shown}");
    }
    capture.assert_one(
        expect::span("catalog.load_table")
            .attr(attr::CATALOG_TABLE, "missing")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 404_i64)
            .error_description("not found (NoSuchTableException): Table does not exist: missing")
            .exception("floe_iceberg::error::IcebergError"),
    );
    capture.assert_one(
        expect::span("catalog.commit_table")
            .root()
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 409_i64)
            .error_containing("commit conflict on table bronze.orders: Requirement failed"),
    );
    capture.assert_one(
        expect::span("catalog.load_table")
            .attr(attr::CATALOG_TABLE, "orders")
            .error_containing("catalog refused the credentials (401)"),
    );
    capture.assert_one(
        expect::span("catalog.list_tables").no_event(attr::CATALOG_RETRY_EVENT).error_containing(
            "catalog failed the request with status 500 (InternalServerError): injected failure",
        ),
    );
    capture.assert_one(
        expect::span("catalog.drop_namespace")
            .root()
            .error_containing("namespace not empty (NamespaceNotEmptyException)"),
    );
    capture.assert_no_secret("FLOETEST-leaked-by-server");
    capture.assert_no_secret(TOKEN);
    capture.assert_conforms_in(floe_iceberg::telemetry::TRACER_NAME);
}

#[tokio::test]
async fn an_unavailable_catalog_is_retried_with_an_event_on_the_operation_span() {
    let (server, catalog) = loopback().await;
    catalog.create_namespace(&Namespace::single("bronze"), BTreeMap::new()).await.unwrap();
    let capture = Capture::start();

    server.fail_next(503);
    let tables = catalog.list_tables(&Namespace::single("bronze")).await.unwrap();

    assert!(tables.is_empty());
    capture.assert_one(
        expect::span("catalog.list_tables")
            .root()
            .ok()
            .floe_attributes()
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64)
            .event(
                expect::event(attr::CATALOG_RETRY_EVENT)
                    .attr(attr::CATALOG_ATTEMPT, 1_i64)
                    .attr(attr::HTTP_RESPONSE_STATUS_CODE, 503_i64),
            ),
    );
    let lists = server.seen().iter().filter(|s| s.path.ends_with("/tables")).count();
    assert_eq!(lists, 2, "sent once more after the 503");
    capture.assert_no_secret(TOKEN);
    capture.assert_conforms_in(floe_iceberg::telemetry::TRACER_NAME);
    server.assert_no_violation();
}

#[tokio::test]
async fn a_catalog_error_quoting_another_credential_is_sanitized_on_the_span_and_the_error() {
    let (server, catalog) = loopback().await;
    catalog.create_namespace(&Namespace::single("bronze"), BTreeMap::new()).await.unwrap();
    let capture = Capture::start();

    server.fail_next(500);
    let failed = catalog.list_tables(&Namespace::single("bronze")).await.unwrap_err();

    // The password was never sent, so the scrub cannot know it: the sanitizer must.
    let text = failed.to_string();
    assert!(matches!(failed, IcebergError::Server { status: 500, .. }), "{failed:?}");
    assert!(text.contains("postgres://<REDACTED>@db:5432/lake is down"), "{text}");
    capture.assert_one(
        expect::span("catalog.list_tables")
            .root()
            .kind(SpanKind::Client)
            .floe_attributes()
            .attr(attr::CATALOG_NAMESPACE, "bronze")
            .error_description(
                "catalog failed the request with status 500 (InternalServerError): injected \
                 failure: metadata store postgres://<REDACTED>@db:5432/lake is down",
            )
            .exception("floe_iceberg::error::IcebergError"),
    );
    capture.assert_secret_nowhere(STORE_PASSWORD, &[&text, &format!("{failed:?}")]);
    capture.assert_no_secret(TOKEN);
    server.assert_no_violation();
}

#[tokio::test]
async fn connection_refused_ends_the_config_span_as_an_error_after_the_retries() {
    let addr = closed_port();
    let capture = Capture::start();
    let config = CatalogConfig::new(&format!("http://{addr}/api")).unwrap().with_token(TOKEN);
    let error = RestCatalog::connect(config).await.unwrap_err();
    assert!(matches!(error, IcebergError::Transport(_)), "{error:?}");
    capture.assert_one(
        expect::span("catalog.connect")
            .root()
            .kind(SpanKind::Client)
            .floe_attributes()
            .attr(attr::CATALOG_URI, format!("http://{addr}/api"))
            .no_attr(attr::CATALOG_WAREHOUSE)
            .event(expect::event(attr::CATALOG_RETRY_EVENT).attr(attr::CATALOG_ATTEMPT, 2_i64))
            .error_containing(format!("request to the catalog failed: cannot connect to {addr}"))
            .exception("IcebergError"),
    );
    capture.assert_no_secret(TOKEN);
    capture.assert_conforms_in(floe_iceberg::telemetry::TRACER_NAME);
}

#[tokio::test]
async fn spans_against_the_real_lakana_catalog_are_truthful_and_never_carry_the_token() {
    let catalog = RestCatalog::connect(lakana_config()).await.unwrap();
    let bronze = Namespace::single("bronze");
    let name = unique("traced");
    let created = catalog.create_table(&bronze, &orders(&name)).await.unwrap();
    let table = TableIdent::new(bronze.clone(), name.clone());
    let uri = catalog.uri().to_owned();

    let capture = Capture::start();
    assert_eq!(migrate(&catalog, &table).await.unwrap(), 1);
    catalog.evolve_schema(&table, &created.metadata, with_amount()).await.unwrap_err();
    catalog.load_table(&TableIdent::new(bronze, unique("absent"))).await.unwrap_err();
    let on_table = |span: &str| {
        catalog_span(span, &uri, ENVIRONMENT)
            .attr(attr::CATALOG_NAMESPACE, "bronze")
            .attr(attr::CATALOG_TABLE, name.clone())
    };
    capture.assert_tree(
        expect::tree(expect::span("pipeline.migrate").root().ok())
            .child(expect::tree(on_table("catalog.load_table").ok()))
            .child(expect::tree(on_table("catalog.commit_table").ok()))
            .exact(),
    );
    capture.assert_one(
        on_table("catalog.commit_table")
            .root()
            .error_containing("commit conflict on table bronze.")
            .exception("IcebergError"),
    );
    capture.assert_one(
        expect::span("catalog.load_table")
            .root()
            .error_containing("not found (NotFoundError)")
            .exception("IcebergError"),
    );
    capture.assert_no_secret(SECRET);
    capture.assert_conforms_in(floe_iceberg::telemetry::TRACER_NAME);
    catalog.drop_table(&table, true).await.unwrap();
}
