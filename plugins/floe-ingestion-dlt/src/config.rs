//! The dlt plugin's typed config.

use std::collections::BTreeMap;

use floe_core::secret::Secret;
use serde::Deserialize;

/// `ingestion: { type: dlt, config: ... }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DltConfig {
    /// The Python interpreter that has `dlt` installed (a virtualenv's `bin/python`).
    #[serde(default = "default_python")]
    pub python: String,
    /// Where dlt keeps pipeline state (its `pipelines_dir`).
    #[serde(default = "default_pipelines_dir")]
    pub pipelines_dir: String,
    /// The DuckDB database file pipelines with destination `duckdb` load into. It must not
    /// be named like a dataset.
    #[serde(default = "default_duckdb_path")]
    pub duckdb_path: String,
    /// The bucket URL (`file:///...`, `s3://...`) of the `filesystem` destination.
    #[serde(default)]
    pub filesystem_url: Option<String>,
    /// Per pipeline name: its source credential (the SQL connection string of a
    /// `sql_database` source, the bearer token of a `rest_api` source).
    #[serde(default)]
    pub credentials: BTreeMap<String, Secret<String>>,
    /// Seconds a dlt run may take before it is stopped.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Attempts in all when a run fails transiently (connection refused, timeout, 429/503).
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Milliseconds between attempts (times the attempt number).
    #[serde(default = "default_retry_delay_ms")]
    pub retry_delay_ms: u64,
}

fn default_python() -> String {
    "python3".to_owned()
}

fn default_pipelines_dir() -> String {
    ".floe/dlt".to_owned()
}

fn default_duckdb_path() -> String {
    ".floe/warehouse.duckdb".to_owned()
}

const fn default_timeout_secs() -> u64 {
    600
}

const fn default_max_attempts() -> u32 {
    3
}

const fn default_retry_delay_ms() -> u64 {
    1000
}

impl DltConfig {
    /// A config running `python` with every other setting at its default.
    pub fn new(python: impl Into<String>) -> Self {
        Self {
            python: python.into(),
            pipelines_dir: default_pipelines_dir(),
            duckdb_path: default_duckdb_path(),
            filesystem_url: None,
            credentials: BTreeMap::new(),
            timeout_secs: default_timeout_secs(),
            max_attempts: default_max_attempts(),
            retry_delay_ms: default_retry_delay_ms(),
        }
    }
}

/// The JSON schema of the config.
pub(crate) fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "python": { "type": "string", "default": "python3" },
            "pipelines_dir": { "type": "string", "default": ".floe/dlt" },
            "duckdb_path": { "type": "string", "default": ".floe/warehouse.duckdb" },
            "filesystem_url": { "type": "string" },
            "credentials": {
                "type": "object",
                "description": "per pipeline: SQL connection string or REST API token (secret)",
                "additionalProperties": { "type": "string" }
            },
            "timeout_secs": { "type": "integer", "minimum": 1, "maximum": 86400, "default": 600 },
            "max_attempts": { "type": "integer", "minimum": 1, "maximum": 10, "default": 3 },
            "retry_delay_ms": { "type": "integer", "minimum": 0, "maximum": 60000, "default": 1000 }
        }
    })
}
