//! The Dagster peers: a real dbt project (dbt-duckdb) parsed by the pinned dbt into the
//! `manifest.json` the artifacts carry, the pinned `dagster-webserver` on a free loopback
//! port.
//!
//! Self-contained (only crates the contract suite also has), so the contract row includes
//! it with `#[path]`.
#![expect(clippy::unwrap_used, reason = "test peer: a broken fixture should fail loudly")]

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use floe_orchestrator_dagster::DagsterConfig;
use floe_otel_testkit::peers::{PeerProcess, free_port, venv, venv_bin};
use serde_json::{Value, json};

/// A dbt project with two models, `orders` (a view) and `order_totals` (a table reading
/// `orders`), on a scratch DuckDB file.
pub(crate) struct DbtProject {
    dir: tempfile::TempDir,
    manifest: Value,
}

impl DbtProject {
    /// Writes the project and runs `dbt parse` for its manifest.
    pub(crate) fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("models")).unwrap();
        std::fs::write(
            root.join("dbt_project.yml"),
            "name: shop\nversion: \"1.0\"\nprofile: shop\n",
        )
        .unwrap();
        let profile = json!({ "shop": { "target": "dev", "outputs": { "dev": {
            "type": "duckdb", "path": root.join("warehouse.duckdb"), "threads": 1 } } } });
        std::fs::write(root.join("profiles.yml"), profile.to_string()).unwrap();
        std::fs::write(
            root.join("models/orders.sql"),
            "{{ config(materialized='view', tags=['finance']) }}\nselect 1 as id, 10 as amount union all select 2, 5\n",
        )
        .unwrap();
        std::fs::write(
            root.join("models/order_totals.sql"),
            "{{ config(materialized='table') }}\nselect sum(amount) as total from {{ ref('orders') }}\n",
        )
        .unwrap();
        let parsed = Command::new(venv_bin("dbt").unwrap_or_else(|e| panic!("{e}")))
            .args(["parse", "--project-dir"])
            .arg(root)
            .arg("--profiles-dir")
            .arg(root)
            .env("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
            .output()
            .unwrap();
        assert!(parsed.status.success(), "dbt parse: {}", String::from_utf8_lossy(&parsed.stdout));
        let manifest =
            serde_json::from_slice(&std::fs::read(root.join("target/manifest.json")).unwrap())
                .unwrap();
        Self { dir, manifest }
    }

    /// The project directory.
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Compiled artifacts carrying the dbt manifest.
    pub(crate) fn artifacts(&self) -> Value {
        json!({ "platform": { "name": "demo-lakehouse" }, "dbt_manifest": self.manifest })
    }

    /// A config for `webserver_url` running this project with the venv's dbt and Python.
    pub(crate) fn config(&self, webserver_url: &str) -> DagsterConfig {
        let mut config = DagsterConfig::new(webserver_url, self.dir().display().to_string());
        config.dbt.executable = venv_bin("dbt").unwrap().display().to_string();
        config.python = venv_bin("python").unwrap().display().to_string();
        config.io_dir = self.dir().join("io").display().to_string();
        config.run_timeout_secs = 300;
        config
    }
}

/// Writes generated files into `dir`.
pub(crate) fn write_files(dir: &Path, files: &floe_core::plugin::categories::GeneratedFiles) {
    for (name, text) in &files.files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// A real `dagster-webserver` serving the definitions in `dir`.
pub(crate) struct Webserver {
    _process: PeerProcess,
    addr: SocketAddr,
    _home: tempfile::TempDir,
}

impl Webserver {
    /// Starts it and waits until its GraphQL endpoint answers: at most 3 minutes, since it
    /// loads Dagster and the definitions first, which took over a minute on this 2-core
    /// machine while other tests ran (the wait ends as soon as it answers).
    pub(crate) fn start(dir: &Path) -> Self {
        let port = free_port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let home = tempfile::tempdir().unwrap();
        let definitions = dir.join("definitions.py").display().to_string();
        let bin = venv_bin("dagster-webserver").unwrap_or_else(|e| panic!("{e}"));
        let path = format!("{}:/usr/bin:/bin", venv().unwrap().join("bin").display());
        let mut process = PeerProcess::spawn(
            "dagster-webserver",
            &bin,
            &["-h", "127.0.0.1", "-p", &port.to_string(), "-f", &definitions],
            &[("DAGSTER_HOME", &home.path().display().to_string()), ("PATH", &path)],
        )
        .unwrap();
        process
            .wait_for_http(addr, "/server_info", Duration::from_mins(3))
            .unwrap_or_else(|e| panic!("{e}"));
        Self { _process: process, addr, _home: home }
    }

    /// Its base URL.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}
