//! The plugin's configuration (`plugins.compute.config` in a platform manifest).

use std::collections::BTreeMap;

use floe_core::secret::Secret;
use serde::Deserialize;

use crate::DuckDbComputeError;
use crate::sql::is_identifier;

/// DuckDB as the platform's compute engine.
///
/// ```yaml
/// path: target/warehouse.duckdb        # or ":memory:"
/// threads: 4
/// memory_limit: 4GB
/// extensions: [httpfs, iceberg]
/// settings: { s3_region: eu-west-1 }
/// secret_settings: { s3_secret_access_key: "${secret:s3_key}" }
/// storage_compatibility_version: v1.5.0
/// ```
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuckDbConfig {
    /// The database file, or `:memory:`.
    #[serde(default = "memory")]
    pub path: String,
    /// dbt threads, and the engine's thread limit in a connection check.
    #[serde(default = "default_threads")]
    pub threads: u32,
    /// DuckDB's `memory_limit` (`4GB`, `512MiB`); also the memory the engine requests.
    #[serde(default)]
    pub memory_limit: Option<String>,
    /// Extensions dbt-duckdb installs and loads when it connects.
    #[serde(default)]
    pub extensions: Vec<String>,
    /// DuckDB settings (`SET name = value`) that are not secret.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    /// DuckDB settings whose values are credentials: the generated profile reads each from
    /// an environment variable (`DBT_ENV_SECRET_DUCKDB_<NAME>`), never holding the value.
    #[serde(default)]
    pub secret_settings: BTreeMap<String, Secret<String>>,
    /// The oldest DuckDB the database file must stay readable by (`v1.5.0`): dbt-duckdb's
    /// DuckDB can be newer than other readers of the file.
    #[serde(default)]
    pub storage_compatibility_version: Option<String>,
    /// The dbt target the profile's outputs are named after by default.
    #[serde(default = "default_target")]
    pub target: String,
    /// CPU and memory requests overriding the ones derived from `threads` and
    /// `memory_limit`.
    #[serde(default)]
    pub resources: Option<ResourceConfig>,
}

/// Explicit resource requests.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceConfig {
    /// CPU request, Kubernetes notation (`2`, `500m`).
    pub cpu: String,
    /// Memory request, Kubernetes notation (`4Gi`).
    pub memory: String,
}

fn memory() -> String {
    crate::IN_MEMORY.to_owned()
}

fn default_threads() -> u32 {
    4
}

fn default_target() -> String {
    "dev".to_owned()
}

impl DuckDbConfig {
    /// A config for the database at `path` with every default.
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            threads: default_threads(),
            memory_limit: None,
            extensions: Vec::new(),
            settings: BTreeMap::new(),
            secret_settings: BTreeMap::new(),
            storage_compatibility_version: None,
            target: default_target(),
            resources: None,
        }
    }

    /// Checks what serde cannot: names that end up in SQL are identifiers, a setting is
    /// not both plain and secret, the memory limit is understood.
    ///
    /// # Errors
    /// [`DuckDbComputeError::Config`] naming the key.
    pub fn validate(&self) -> Result<(), DuckDbComputeError> {
        let invalid =
            |key: String, reason: &'static str| Err(DuckDbComputeError::Config { key, reason });
        if self.path.trim().is_empty() {
            return invalid("path".to_owned(), "must not be empty (use \":memory:\")");
        }
        if self.path.contains('?') {
            // `md:lake?motherduck_token=...`: the path would carry a credential into the
            // profile and the compiled artifacts.
            return invalid(
                "path".to_owned(),
                "must not hold a query string: put credentials in secret_settings (motherduck_token)",
            );
        }
        if self.threads == 0 {
            return invalid("threads".to_owned(), "must be at least 1");
        }
        for (i, name) in self.extensions.iter().enumerate() {
            if !is_identifier(name) {
                return invalid(format!("extensions[{i}]"), "is not an extension name");
            }
        }
        let names = self.settings.keys().map(|n| ("settings", n));
        for (map, name) in names.chain(self.secret_settings.keys().map(|n| ("secret_settings", n)))
        {
            if !is_identifier(name) {
                return invalid(format!("{map}.{name}"), "is not a setting name");
            }
        }
        if let Some(name) = self.settings.keys().find(|k| self.secret_settings.contains_key(*k)) {
            return invalid(format!("secret_settings.{name}"), "is also a plain setting");
        }
        if let Some(limit) = &self.memory_limit
            && kubernetes_memory(limit).is_none()
        {
            return invalid("memory_limit".to_owned(), "expected a size such as 4GB or 512MiB");
        }
        if !is_identifier(&self.target) {
            return invalid("target".to_owned(), "is not a target name");
        }
        Ok(())
    }

    /// The environment variable the generated profile reads the secret setting `name` from.
    pub fn secret_setting_env(name: &str) -> String {
        format!("DBT_ENV_SECRET_DUCKDB_{}", name.to_ascii_uppercase())
    }
}

/// A DuckDB size (`4GB`, `4GiB`, `512MB`) in Kubernetes notation (`4G`, `4Gi`, `512M`).
pub fn kubernetes_memory(size: &str) -> Option<String> {
    let size = size.trim();
    let digits = size.find(|c: char| !c.is_ascii_digit()).unwrap_or(size.len());
    let (number, unit) = size.split_at(digits);
    let number: u64 = number.parse().ok()?;
    let unit = match unit.trim().to_ascii_lowercase().as_str() {
        "kb" => "k",
        "mb" => "M",
        "gb" => "G",
        "tb" => "T",
        "kib" => "Ki",
        "mib" => "Mi",
        "gib" => "Gi",
        "tib" => "Ti",
        _ => return None,
    };
    Some(format!("{number}{unit}"))
}
