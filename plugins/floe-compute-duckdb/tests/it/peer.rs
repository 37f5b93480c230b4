//! The peer of the DuckDB compute plugin's tests (shared with its contract row): a real
//! DuckDB database file with a small table, in a scratch directory removed on drop.
#![expect(clippy::unwrap_used, reason = "test peer set-up: a failure should stop the test")]

use std::path::{Path, PathBuf};

/// A DuckDB database file holding `orders` (3 rows).
#[derive(Debug)]
pub(crate) struct Warehouse {
    /// Removed on drop.
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Warehouse {
    /// Creates `warehouse.duckdb` in a fresh directory.
    pub(crate) fn create() -> Self {
        let dir = tempfile::Builder::new().prefix("floe-duckdb-peer-").tempdir().unwrap();
        let path = dir.path().join("warehouse.duckdb");
        let connection = duckdb::Connection::open(&path).unwrap();
        connection
            .execute_batch(
                "CREATE TABLE orders AS SELECT * FROM (VALUES (1, 120.50), (2, 35.00), (3, 80.00)) AS t(id, amount)",
            )
            .unwrap();
        Self { _dir: dir, path }
    }

    /// The database file as the plugin's `path` setting.
    pub(crate) fn path_setting(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }

    /// The directory holding the file (which must never reach a span).
    pub(crate) fn directory(&self) -> &Path {
        self.path.parent().unwrap_or(&self.path)
    }
}
