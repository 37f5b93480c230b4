//! The example dbt project (`examples/dbt-project`), built once per test binary by the
//! pinned dbt-core and dbt-duckdb: its `manifest.json` is what the generator reads (never a
//! checked-in fixture), its DuckDB database is where the SQL Cube generates runs.

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};

use duckdb::types::Value as Sql;
use floe_otel_testkit::peers::DbtProject;
use serde_json::Value;

/// The built project.
pub(crate) struct Warehouse {
    project: DbtProject,
    manifest: Value,
    connection: Mutex<duckdb::Connection>,
}

/// The project, built on first use (one `dbt build` of its seeds and models).
pub(crate) fn warehouse() -> &'static Warehouse {
    static WAREHOUSE: OnceLock<Warehouse> = OnceLock::new();
    WAREHOUSE.get_or_init(|| {
        let project = DbtProject::copy().expect("copying the example dbt project");
        let output = project
            .dbt(&["build", "--resource-type", "seed", "--resource-type", "model"])
            .expect("scripts/setup installs dbt-core")
            .output()
            .expect("running dbt build");
        assert!(
            output.status.success(),
            "dbt build failed:\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
        let target = project.path().join("target");
        let text = std::fs::read_to_string(target.join("manifest.json")).expect("manifest.json");
        let manifest = serde_json::from_str(&text).expect("dbt's manifest is JSON");
        let flags = duckdb::Config::default()
            .access_mode(duckdb::AccessMode::ReadOnly)
            .expect("a read-only configuration");
        let connection =
            duckdb::Connection::open_with_flags(target.join("floe_demo.duckdb"), flags)
                .expect("opening the database dbt built");
        Warehouse { project, manifest, connection: Mutex::new(connection) }
    })
}

impl Warehouse {
    /// dbt's `manifest.json` of the project.
    pub(crate) fn manifest(&self) -> Value {
        self.manifest.clone()
    }

    /// A scratch directory inside the project copy (removed with it).
    pub(crate) fn scratch(&self, name: &str) -> PathBuf {
        let dir = self.project.path().join("floe-cube").join(name);
        std::fs::create_dir_all(&dir).expect("creating a scratch directory");
        dir
    }

    /// The rows `sql` returns with `params` bound to `$1`, `$2`, ... (Cube's parameters are
    /// text), each as a JSON object keyed by column alias, sorted.
    ///
    /// # Errors
    /// DuckDB's error, as text.
    pub(crate) fn rows(&self, sql: &str, params: &[Value]) -> Result<Vec<Value>, String> {
        let wrapped = format!("SELECT to_json(cube_rows)::VARCHAR FROM ({sql}) AS cube_rows");
        let params: Vec<Sql> = params
            .iter()
            .map(|p| Sql::Text(p.as_str().map_or_else(|| p.to_string(), str::to_owned)))
            .collect();
        let connection = self.connection.lock().unwrap_or_else(PoisonError::into_inner);
        let mut statement = connection.prepare(&wrapped).map_err(|e| e.to_string())?;
        let texts: Vec<String> = statement
            .query_map(duckdb::params_from_iter(params.iter()), |r| r.get(0))
            .and_then(Iterator::collect)
            .map_err(|e| e.to_string())?;
        let mut rows: Vec<Value> =
            texts.iter().map(|t| serde_json::from_str(t).expect("a JSON row")).collect();
        rows.sort_by_key(ToString::to_string);
        Ok(rows)
    }
}
