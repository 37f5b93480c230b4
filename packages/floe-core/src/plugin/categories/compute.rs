//! Compute engines: the database dbt runs on.

use std::collections::BTreeMap;

use serde::Serialize;

use super::CategoryError;

/// A catalog to attach to the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CatalogAttachment {
    /// The name the catalog gets in SQL.
    pub alias: String,
    /// The catalog endpoint.
    pub uri: String,
    /// The warehouse (the catalog's prefix) to attach; what DuckDB's `ATTACH` takes as
    /// its path.
    pub warehouse: String,
    /// Attach options (checked against an allow-list by the plugin).
    pub options: BTreeMap<String, String>,
}

/// CPU and memory the engine needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResourceRequirements {
    /// CPU request, in Kubernetes notation (`500m`).
    pub cpu: String,
    /// Memory request (`1Gi`).
    pub memory: String,
}

/// A dbt package the engine's adapter needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DbtPackage {
    /// Package name (`dbt-duckdb`).
    pub name: String,
    /// Version constraint.
    pub version: String,
}

/// The result of a connection check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConnectionReport {
    /// The engine's version.
    pub engine_version: String,
    /// How long the check took, in milliseconds.
    pub latency_ms: u64,
}

/// A compute engine.
pub trait Compute {
    /// The plugin's error.
    type Error: CategoryError;

    /// The dbt profile for `target`.
    ///
    /// # Errors
    /// When the configuration cannot produce a profile.
    fn generate_profile(&self, target: &str) -> Result<serde_json::Value, Self::Error>;
    /// SQL statements that attach a catalog.
    ///
    /// # Errors
    /// When an option is not allowed.
    fn attach_catalog_sql(&self, catalog: &CatalogAttachment) -> Result<Vec<String>, Self::Error>;
    /// What the engine needs to run.
    fn resource_requirements(&self) -> ResourceRequirements;
    /// The Cube data-source configuration for this engine.
    fn cube_datasource(&self) -> serde_json::Value;
    /// dbt packages the engine needs.
    fn required_dbt_packages(&self) -> Vec<DbtPackage>;
    /// Connects and runs a query.
    fn validate_connection(
        &self,
    ) -> impl Future<Output = Result<ConnectionReport, Self::Error>> + Send;
}
