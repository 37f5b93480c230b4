//! The catalog client against the loopback catalog (request shapes checked against the
//! REST specification, every error status) and against the real lakana catalog.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use floe_core::http::PeerError;
use floe_iceberg::{
    CatalogConfig, CreateTable, IcebergError, Namespace, NestedField, PartitionField,
    PartitionSpec, RestCatalog, Schema, Snapshot, TableIdent,
};
use floe_otel_testkit::lakana::{ENVIRONMENT, Lakana, lakana};
use floe_otel_testkit::peers::closed_port;

use crate::avro::write_empty_manifest_list;
use crate::server::{PREFIX, TestCatalog, WAREHOUSE};

pub(crate) const TOKEN: &str = "FLOETEST-loopback-token-7f3a";

pub(crate) fn loopback_config(server: &TestCatalog) -> CatalogConfig {
    CatalogConfig::new(&server.uri())
        .expect("the loopback URI is valid")
        .with_warehouse(WAREHOUSE)
        .with_prefix("configured-prefix")
        .with_token(TOKEN)
        .with_timeout(Duration::from_secs(5))
}

pub(crate) async fn loopback() -> (TestCatalog, RestCatalog) {
    let server = TestCatalog::start(TOKEN).await;
    let catalog = RestCatalog::connect(loopback_config(&server)).await.expect("connecting");
    (server, catalog)
}

pub(crate) fn lakana_config() -> CatalogConfig {
    CatalogConfig::new(lakana().uri())
        .expect("the lakana URI is valid")
        .with_warehouse(ENVIRONMENT)
        .with_prefix(ENVIRONMENT)
        .with_token(Lakana::bootstrap_token())
        .with_timeout(Duration::from_secs(20))
}

/// A table name no other test of this run uses.
pub(crate) fn unique(name: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("{name}_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

pub(crate) fn orders(name: &str) -> CreateTable {
    let schema = Schema::new(vec![
        NestedField::required(1, "id", "long"),
        NestedField::optional(2, "ts", "timestamp"),
    ]);
    CreateTable::new(name, schema).with_partition_spec(PartitionSpec {
        spec_id: None,
        fields: vec![PartitionField {
            source_id: 2,
            field_id: Some(1000),
            name: "ts_day".to_owned(),
            transform: "day".to_owned(),
        }],
    })
}

pub(crate) fn with_amount() -> Schema {
    Schema::new(vec![
        NestedField::required(1, "id", "long"),
        NestedField::optional(2, "ts", "timestamp"),
        NestedField::optional(3, "amount", "double"),
    ])
}

pub(crate) fn snapshot(id: i64, parent: Option<i64>) -> Snapshot {
    Snapshot {
        snapshot_id: id,
        parent_snapshot_id: parent,
        sequence_number: Some(1),
        timestamp_ms: 1_700_000_000_000,
        manifest_list: format!("file:///warehouse/metadata/snap-{id}.avro"),
        summary: BTreeMap::from([("operation".to_owned(), "append".to_owned())]),
        schema_id: Some(0),
    }
}

#[tokio::test]
async fn connect_honours_the_prefix_override_and_sends_warehouse_token_and_headers() {
    let server = TestCatalog::start(TOKEN).await;
    let config = loopback_config(&server)
        .with_header("X-Iceberg-Access-Delegation", "vended-credentials")
        .unwrap();
    let catalog = RestCatalog::connect(config).await.unwrap();
    assert_eq!(catalog.prefix(), Some(PREFIX), "overrides beat the client and the defaults");
    assert_eq!(catalog.server_config().overrides["prefix"], PREFIX);
    catalog.list_namespaces(None).await.unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].path, "/v1/config");
    assert_eq!(seen[0].query, format!("warehouse={WAREHOUSE}"));
    assert_eq!(seen[1].path, format!("/v1/{PREFIX}/namespaces"));
    for request in &seen {
        assert_eq!(request.authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
        assert_eq!(request.access_delegation.as_deref(), Some("vended-credentials"));
    }
    server.assert_no_violation();
}

#[tokio::test]
async fn namespaces_are_created_loaded_listed_across_pages_and_dropped() {
    let (server, catalog) = loopback().await;
    let properties = BTreeMap::from([("owner".to_owned(), "floe".to_owned())]);
    for name in ["bronze", "silver", "gold"] {
        catalog.create_namespace(&Namespace::single(name), properties.clone()).await.unwrap();
    }
    let nested = Namespace::new(["bronze", "raw events"]);
    let created = catalog.create_namespace(&nested, BTreeMap::new()).await.unwrap();
    assert_eq!(created.namespace, nested);
    let loaded = catalog.load_namespace(&Namespace::single("silver")).await.unwrap();
    assert_eq!(loaded.properties, properties);
    assert_eq!(catalog.load_namespace(&nested).await.unwrap().namespace, nested);
    let top = catalog.list_namespaces(None).await.unwrap();
    assert_eq!(top, ["bronze", "gold", "silver"].map(Namespace::single), "3 levels over 2 pages");
    let children = catalog.list_namespaces(Some(&Namespace::single("bronze"))).await.unwrap();
    assert_eq!(children, std::slice::from_ref(&nested));
    catalog.drop_namespace(&nested).await.unwrap();
    let gone = catalog.load_namespace(&nested).await.unwrap_err();
    assert!(
        matches!(gone, IcebergError::NotFound { ref kind, .. } if kind == "NoSuchNamespaceException"),
        "{gone:?}"
    );
    let again = catalog.create_namespace(&Namespace::single("gold"), BTreeMap::new()).await;
    assert!(matches!(again, Err(IcebergError::AlreadyExists { .. })), "{again:?}");
    assert!(server.seen().iter().any(|r| r.path.ends_with("/namespaces/bronze%1Fraw%20events")));
    server.assert_no_violation();
}

#[tokio::test]
async fn tables_are_created_with_schema_and_partition_spec_loaded_listed_and_purged() {
    let (server, catalog) = loopback().await;
    let bronze = Namespace::single("bronze");
    catalog.create_namespace(&bronze, BTreeMap::new()).await.unwrap();
    let created = catalog.create_table(&bronze, &orders("orders")).await.unwrap();
    assert_eq!(created.metadata.current_schema().unwrap().fields.len(), 2);
    assert_eq!(created.metadata.partition_specs[0].fields[0].transform, "day");
    let ident = TableIdent::new(bronze.clone(), "orders");
    let loaded = catalog.load_table(&ident).await.unwrap();
    assert_eq!(loaded.metadata.table_uuid, created.metadata.table_uuid);
    assert_eq!(catalog.list_tables(&bronze).await.unwrap(), std::slice::from_ref(&ident));
    let duplicate = catalog.create_table(&bronze, &orders("orders")).await.unwrap_err();
    assert!(matches!(duplicate, IcebergError::AlreadyExists { .. }), "{duplicate:?}");
    let busy = catalog.drop_namespace(&bronze).await.unwrap_err();
    assert!(
        matches!(busy, IcebergError::NotEmpty { ref kind, .. } if kind == "NamespaceNotEmptyException"),
        "{busy:?}"
    );
    catalog.drop_table(&ident, true).await.unwrap();
    assert!(server.seen().iter().any(|r| r.query == "purgeRequested=true"));
    let gone = catalog.load_table(&ident).await.unwrap_err();
    assert!(
        matches!(gone, IcebergError::NotFound { ref kind, .. } if kind == "NoSuchTableException")
    );
    server.assert_no_violation();
}

#[tokio::test]
async fn schema_evolution_and_snapshots_commit_with_requirements_and_conflict_when_stale() {
    let (server, catalog) = loopback().await;
    let bronze = Namespace::single("bronze");
    catalog.create_namespace(&bronze, BTreeMap::new()).await.unwrap();
    catalog.create_table(&bronze, &orders("orders")).await.unwrap();
    let ident = TableIdent::new(bronze, "orders");
    let base = catalog.load_table(&ident).await.unwrap().metadata;

    let evolved = catalog.evolve_schema(&ident, &base, with_amount()).await.unwrap();
    assert_eq!(evolved.metadata.current_schema_id, 1);
    assert_eq!(evolved.metadata.last_column_id, 3);
    assert_eq!(evolved.metadata.current_schema().unwrap().fields[2].name, "amount");
    let stale = catalog.evolve_schema(&ident, &base, with_amount()).await.unwrap_err();
    assert!(
        matches!(stale, IcebergError::CommitConflict { ref table, .. } if table == "bronze.orders"),
        "{stale:?}"
    );

    let first = catalog.append_snapshot(&ident, "main", None, snapshot(1, None)).await.unwrap();
    assert_eq!(first.metadata.current_snapshot_id, Some(1));
    let second = catalog.append_snapshot(&ident, "main", Some(1), snapshot(2, Some(1))).await;
    assert_eq!(second.unwrap().metadata.ref_snapshot_id("main"), Some(2));
    let lost_race = catalog.append_snapshot(&ident, "main", Some(1), snapshot(3, Some(1))).await;
    assert!(matches!(lost_race, Err(IcebergError::CommitConflict { .. })), "{lost_race:?}");
    server.assert_no_violation();
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized_and_a_server_failure_is_a_server_error() {
    let server = TestCatalog::start(TOKEN).await;
    let wrong = loopback_config(&server).with_token("FLOETEST-wrong");
    let catalog = RestCatalog::connect(wrong).await.unwrap();
    let denied = catalog.list_namespaces(None).await.unwrap_err();
    assert!(matches!(denied, IcebergError::Unauthorized { status: 401, .. }), "{denied:?}");

    let catalog = RestCatalog::connect(loopback_config(&server)).await.unwrap();
    server.fail_next(500);
    let failed = catalog.list_namespaces(None).await.unwrap_err();
    assert!(matches!(failed, IcebergError::Server { status: 500, .. }), "{failed:?}");
    server.assert_no_violation();
}

#[tokio::test]
async fn an_unreachable_or_silent_catalog_is_a_transport_error_within_the_timeout() {
    let refused = CatalogConfig::new(&format!("http://{}/", closed_port()))
        .unwrap()
        .with_retry_policy(floe_core::http::RetryPolicy {
            max_attempts: 2,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(10),
        });
    let err = RestCatalog::connect(refused).await.unwrap_err();
    assert!(matches!(&err, IcebergError::Transport(PeerError::Unreachable { .. })), "{err:?}");

    // Accepts connections and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let config = CatalogConfig::new(&format!("http://{}/", silent.local_addr().unwrap()))
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let err = RestCatalog::connect(config).await.unwrap_err();
    assert!(matches!(&err, IcebergError::Transport(PeerError::TimedOut { .. })), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test]
async fn plain_http_to_another_machine_is_refused_unless_explicitly_allowed() {
    // TEST-NET-1: never routed, so an allowed connection can only time out.
    let remote = CatalogConfig::new("http://192.0.2.1:8181/api/catalog")
        .unwrap()
        .with_token("FLOETEST-never-sent")
        .with_timeout(Duration::from_millis(300));

    let refused = RestCatalog::connect(remote.clone()).await.unwrap_err();
    let allowed = RestCatalog::connect(remote.allow_insecure_http(true)).await.unwrap_err();

    assert!(matches!(refused, IcebergError::Endpoint(_)), "{refused:?}");
    let text = floe_core::telemetry::describe_error(&refused);
    assert!(text.as_str().contains("192.0.2.1:8181 uses plain http"), "{text}");
    assert!(matches!(allowed, IcebergError::Transport(_)), "{allowed:?}");
}

#[test]
fn a_uri_with_user_info_is_refused_without_echoing_it() {
    let err = CatalogConfig::new("https://floe:FLOETEST-pw@catalog.example.com/api").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("must not carry user info"), "{text}");
    assert!(!text.contains("FLOETEST"), "{text}");
    assert!(CatalogConfig::new("ftp://catalog.example.com").is_err());
    assert!(CatalogConfig::new("https://catalog.example.com/api?token=x").is_err());
    let config = CatalogConfig::new("https://catalog.example.com/api/catalog").unwrap();
    assert_eq!(config.redacted_uri(), "https://catalog.example.com/api/catalog");
}

#[tokio::test]
async fn the_real_lakana_catalog_manages_namespaces_tables_schemas_and_snapshots() {
    let catalog = RestCatalog::connect(lakana_config()).await.unwrap();
    assert_eq!(catalog.prefix(), Some(ENVIRONMENT));
    let scratch = Namespace::single(unique("scratch"));
    catalog.create_namespace(&scratch, BTreeMap::new()).await.unwrap();
    assert_eq!(catalog.load_namespace(&scratch).await.unwrap().namespace, scratch);
    let all = catalog.list_namespaces(None).await.unwrap();
    assert!(all.contains(&scratch) && all.contains(&Namespace::single("bronze")), "{all:?}");
    let again = catalog.create_namespace(&scratch, BTreeMap::new()).await.unwrap_err();
    assert!(matches!(again, IcebergError::AlreadyExists { .. }), "{again:?}");
    // lakana's own error model names it; kept because it is a plain identifier.
    assert!(again.to_string().starts_with("already exists (AlreadyExistsError): "), "{again}");
    catalog.drop_namespace(&scratch).await.unwrap();
    assert!(matches!(catalog.load_namespace(&scratch).await, Err(IcebergError::NotFound { .. })));

    let bronze = Namespace::single("bronze");
    let name = unique("orders");
    let created = catalog.create_table(&bronze, &orders(&name)).await.unwrap();
    assert_eq!(created.metadata.partition_specs[0].fields[0].name, "ts_day");
    // lakana answers `"config": {}` and `"storage-credentials": []`: nothing vended.
    assert!(created.vended_config().is_empty());
    let ident = TableIdent::new(bronze.clone(), name);
    let busy = catalog.drop_namespace(&bronze).await.unwrap_err();
    assert!(matches!(busy, IcebergError::NotEmpty { .. }), "{busy:?}");
    assert!(catalog.list_tables(&bronze).await.unwrap().contains(&ident));
    let evolved = catalog.evolve_schema(&ident, &created.metadata, with_amount()).await.unwrap();
    assert_eq!(evolved.metadata.current_schema().unwrap().fields.len(), 3);
    assert_eq!(evolved.metadata.current_schema_id, 1);
    let stale = catalog.evolve_schema(&ident, &created.metadata, with_amount()).await.unwrap_err();
    assert!(matches!(stale, IcebergError::CommitConflict { .. }), "{stale:?}");
    // lakana reads the manifest list before it accepts a snapshot: a missing one is 422.
    let location = created.metadata.location.clone().unwrap();
    let mut missing = snapshot(7, None);
    missing.manifest_list = format!("{location}/metadata/snap-7.avro");
    let rejected = catalog.append_snapshot(&ident, "main", None, missing).await;
    assert!(matches!(rejected, Err(IcebergError::Rejected { status: 422, .. })), "{rejected:?}");
    let mut first = snapshot(8, None);
    first.manifest_list = format!("{location}/metadata/snap-8.avro");
    write_empty_manifest_list(Path::new(first.manifest_list.trim_start_matches("file://")));
    let appended = catalog.append_snapshot(&ident, "main", None, first.clone()).await.unwrap();
    assert_eq!(appended.metadata.current_snapshot_id, Some(8));
    assert_eq!(appended.metadata.ref_snapshot_id("main"), Some(8));
    first.snapshot_id = 9;
    let lost_race = catalog.append_snapshot(&ident, "main", None, first).await.unwrap_err();
    assert!(matches!(lost_race, IcebergError::CommitConflict { .. }), "{lost_race:?}");
    catalog.drop_table(&ident, true).await.unwrap();
    assert!(matches!(catalog.load_table(&ident).await, Err(IcebergError::NotFound { .. })));
}

#[tokio::test]
async fn the_real_lakana_catalog_refuses_a_wrong_token() {
    let config = lakana_config().with_token("lakana_pat_0000000000000000_FLOETESTwrong");
    let catalog = RestCatalog::connect(config).await.unwrap();
    let denied = catalog.list_namespaces(None).await.unwrap_err();
    assert!(matches!(denied, IcebergError::Unauthorized { status: 401, .. }), "{denied:?}");
}
