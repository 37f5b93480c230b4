//! The plugin's configuration (`plugins.quality` entry `type: great_expectations`).

use serde::Deserialize;

/// The DuckDB database the suites' tables live in.
///
/// ```yaml
/// quality:
///   - type: great_expectations
///     config:
///       database: examples/dbt-project/target/floe_demo.duckdb
/// ```
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GxConfig {
    /// The DuckDB database file, opened read-only.
    pub database: String,
    /// How many unexpected values each result lists (Great Expectations' `SUMMARY`
    /// format lists 20).
    #[serde(default = "default_partial")]
    pub partial_unexpected_count: u32,
}

fn default_partial() -> u32 {
    20
}

impl GxConfig {
    /// A config for the database at `database` with every default.
    pub fn new(database: impl Into<String>) -> Self {
        Self { database: database.into(), partial_unexpected_count: default_partial() }
    }
}
