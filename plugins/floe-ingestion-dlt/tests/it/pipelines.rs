//! Sources and destinations: a REST API (a loopback server checking the bearer token), a
//! SQL database (`SQLite`), JSONL files, and the filesystem destination.

use std::process::Command;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use floe_core::plugin::categories::{Ingestion as _, PipelineSpec};
use floe_ingestion_dlt::DltPlugin;
use floe_otel_testkit::http::LoopbackServer;
use floe_otel_testkit::peers::venv_bin;
use serde_json::json;

use crate::peer::Dlt;
use crate::plugin;

#[tokio::test]
async fn a_rest_api_source_sends_the_token_and_loads_the_answer() {
    let dlt = Dlt::start();
    let api = LoopbackServer::start(Router::new().route(
        "/customers",
        get(|headers: HeaderMap| async move {
            if headers.get("authorization").and_then(|v| v.to_str().ok())
                != Some("Bearer api-token")
            {
                return Err(StatusCode::UNAUTHORIZED);
            }
            Ok(axum::Json(json!([{ "id": 1, "name": "anna" }, { "id": 2, "name": "ben" }])))
        }),
    ));
    let mut config = dlt.config();
    config.credentials.insert("customers_api".to_owned(), "api-token".to_owned().into());
    let spec = PipelineSpec {
        name: "customers_api".to_owned(),
        source_type: "rest_api".to_owned(),
        source: json!({ "base_url": api.url("/"), "resources": ["customers"] }),
        destination: "duckdb".to_owned(),
        dataset: "crm".to_owned(),
    };

    let info = DltPlugin::new(config).expect("valid").run_pipeline(&spec).await.expect("loaded");

    assert_eq!(info.rows_loaded, 2);
    assert_eq!(
        dlt.query("select id, name from crm.customers order by id"),
        vec![vec!["1".to_owned(), "anna".to_owned()], vec!["2".to_owned(), "ben".to_owned()]]
    );
    assert!(!api.requests().is_empty());
}

#[tokio::test]
async fn a_sql_database_source_loads_the_tables_it_names() {
    let dlt = Dlt::start();
    let db = dlt.path("shop.sqlite");
    let created = Command::new(venv_bin("python").expect("venv"))
        .args([
            "-c",
            "import sqlite3, sys\n\
             con = sqlite3.connect(sys.argv[1])\n\
             con.executescript('create table items (id integer primary key, sku text); \
             insert into items values (1, \"a-1\"), (2, \"b-2\"), (3, \"c-3\"); \
             create table ignored (x integer);')\n\
             con.commit()",
            &db,
        ])
        .status()
        .expect("python runs");
    assert!(created.success());
    let mut config = dlt.config();
    config.credentials.insert("shop_db".to_owned(), format!("sqlite:///{db}").into());
    let spec = PipelineSpec {
        name: "shop_db".to_owned(),
        source_type: "sql_database".to_owned(),
        source: json!({ "tables": ["items"] }),
        destination: "duckdb".to_owned(),
        dataset: "shop".to_owned(),
    };

    let info = DltPlugin::new(config).expect("valid").run_pipeline(&spec).await.expect("loaded");

    assert_eq!(info.rows_loaded, 3);
    assert_eq!(dlt.query("select count(*), max(sku) from shop.items"), vec![vec!["3", "c-3"]]);
    let tables = dlt.query(
        "select table_name from information_schema.tables where table_schema = 'shop' \
         and table_name not like '_dlt%'",
    );
    assert_eq!(tables, vec![vec!["items"]], "only the named table");
}

#[tokio::test]
async fn jsonl_files_load_into_the_filesystem_destination() {
    let dlt = Dlt::start();
    std::fs::write(
        dlt.path("data/events.jsonl"),
        "{\"id\": 1, \"kind\": \"click\"}\n\n{\"id\": 2, \"kind\": \"view\"}\n",
    )
    .expect("written");
    let spec = PipelineSpec {
        name: "events_files".to_owned(),
        source_type: "filesystem".to_owned(),
        source: json!({
            "bucket_url": format!("file://{}", dlt.path("data")),
            "file_glob": "*.jsonl",
            "format": "jsonl",
            "table": "events",
        }),
        destination: "filesystem".to_owned(),
        dataset: "landing".to_owned(),
    };

    let info = plugin(&dlt).run_pipeline(&spec).await.expect("loaded");

    assert_eq!(info.rows_loaded, 2);
    let dir = std::path::PathBuf::from(dlt.path("lake/landing/events"));
    let written: String = std::fs::read_dir(&dir)
        .expect("the table directory")
        .map(|entry| std::fs::read(entry.expect("entry").path()).expect("readable"))
        .map(|bytes| decompress(&bytes))
        .collect();
    assert!(
        written.contains("\"kind\":\"click\"") && written.contains("\"kind\":\"view\""),
        "{written}"
    );
}

/// dlt gzips load files by default; the venv's Python reads them back.
fn decompress(bytes: &[u8]) -> String {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("load.gz");
    std::fs::write(&file, bytes).expect("written");
    let output = Command::new(venv_bin("python").expect("venv"))
        .args(["-c", "import gzip, sys; sys.stdout.write(gzip.open(sys.argv[1], 'rt').read())"])
        .arg(&file)
        .output()
        .expect("python runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn a_filesystem_destination_without_a_url_is_refused_before_dlt_runs() {
    let dlt = Dlt::start();
    let mut config = dlt.config();
    config.filesystem_url = None;
    let mut spec = dlt.orders_pipeline();
    spec.destination = "filesystem".to_owned();

    let error = DltPlugin::new(config).expect("valid").run_pipeline(&spec).await.unwrap_err();

    assert!(error.to_string().contains("destination filesystem needs filesystem_url"), "{error}");
    assert!(!std::path::Path::new(&dlt.path("pipelines/orders_files")).exists());
}
