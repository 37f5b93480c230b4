//! The dlt peer: the pinned dlt of the test virtualenv, a scratch directory holding a small
//! CSV source and the DuckDB file it loads into, and DuckDB queries (through the
//! virtualenv's `duckdb` module) that read the loaded rows back.
//!
//! Self-contained (only crates the contract suite also has), so the contract row includes
//! it with `#[path]`.
#![expect(clippy::unwrap_used, reason = "test peer: a broken fixture should fail loudly")]

use std::path::PathBuf;
use std::process::Command;

use floe_core::plugin::categories::PipelineSpec;
use floe_ingestion_dlt::DltConfig;
use floe_otel_testkit::peers::venv_bin;
use serde_json::{Value, json};

/// The rows of `orders.csv`, as DuckDB returns them (CSV values load as text).
pub(crate) const ORDERS: [[&str; 3]; 3] =
    [["1", "anna", "10.5"], ["2", "ben", "20"], ["3", "chloe", "7"]];

/// A scratch directory with `data/orders.csv`, the venv's Python, and a DuckDB file.
pub(crate) struct Dlt {
    dir: tempfile::TempDir,
    python: PathBuf,
}

impl Dlt {
    /// Prepares the directory; panics with the set-up hint when the venv is missing.
    pub(crate) fn start() -> Self {
        let python = venv_bin("python").unwrap_or_else(|e| panic!("{e}"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        let csv: String = std::iter::once("id,name,amount".to_owned())
            .chain(ORDERS.iter().map(|row| row.join(",")))
            .map(|line| line + "\n")
            .collect();
        std::fs::write(dir.path().join("data").join("orders.csv"), csv).unwrap();
        Self { dir, python }
    }

    /// A config for this directory: no delay between attempts.
    pub(crate) fn config(&self) -> DltConfig {
        let mut config = DltConfig::new(self.python.display().to_string());
        config.pipelines_dir = self.path("pipelines");
        config.duckdb_path = self.path("warehouse.duckdb");
        config.filesystem_url = Some(format!("file://{}", self.path("lake")));
        config.retry_delay_ms = 0;
        config.timeout_secs = 120;
        config
    }

    /// A path inside the directory.
    pub(crate) fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// The pipeline loading `data/*.csv` into table `orders` of dataset `raw` in DuckDB.
    pub(crate) fn orders_pipeline(&self) -> PipelineSpec {
        PipelineSpec {
            name: "orders_files".to_owned(),
            source_type: "filesystem".to_owned(),
            source: json!({
                "bucket_url": format!("file://{}", self.path("data")),
                "file_glob": "*.csv",
                "format": "csv",
                "table": "orders",
            }),
            destination: "duckdb".to_owned(),
            dataset: "raw".to_owned(),
        }
    }

    /// The rows of `sql` against the DuckDB file, each value as text.
    pub(crate) fn query(&self, sql: &str) -> Vec<Vec<String>> {
        let script = "import duckdb, json, sys\n\
            con = duckdb.connect(sys.argv[1], read_only=True)\n\
            print(json.dumps([[str(v) for v in row] for row in con.sql(sys.argv[2]).fetchall()]))";
        let output = Command::new(&self.python)
            .args(["-c", script, &self.path("warehouse.duckdb"), sql])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let rows: Value = serde_json::from_slice(&output.stdout).unwrap();
        serde_json::from_value(rows).unwrap()
    }
}
