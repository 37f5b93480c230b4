//! floe-compute-duckdb: DuckDB as the platform's compute engine.
//!
//! [`DuckDbCompute`] generates the dbt-duckdb profile (path, threads, extensions,
//! settings; credentials only as `env_var` references), the SQL that attaches an Iceberg
//! REST catalog (allow-listed options, safely quoted values), resource requests, the Cube
//! data source and the dbt packages it needs, and validates the connection by opening the
//! database and running SQL in it. Every operation is traced (see [`telemetry`]).

mod config;
mod error;
mod profile;
pub mod sql;
pub mod telemetry;

use std::path::Path;
use std::time::Instant;

use floe_core::KeyValue;
use floe_core::plugin::categories::{
    CatalogAttachment, Compute, ConnectionReport, DbtPackage, ResourceRequirements,
};
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginErrorKind, PluginMetadata,
    ResolvedConfig,
};
use floe_core::secret::{Secret, scrub};
use floe_core::telemetry::{
    DomainSpan, attr, describe_error, in_span, in_span_async, sanitize_error_message,
};
use floe_core::text::first_line;

pub use config::{DuckDbConfig, ResourceConfig, kubernetes_memory};
pub use error::{DuckDbComputeError, EngineError};
use telemetry::{ComputeOp, ENGINE, TRACER_NAME};

/// The path of an in-memory database.
pub const IN_MEMORY: &str = ":memory:";

static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "duckdb",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::Compute,
    "DuckDB: dbt-duckdb profiles, Iceberg catalog attachment, connection checks",
)
.with_tracer_name(TRACER_NAME)
.with_config_schema(profile::config_schema);

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: DuckDbConfig = config.decode(&plugin_name())?;
    DuckDbCompute::new(typed).map(|p| Box::new(p) as Box<dyn Plugin>).map_err(|e| match e {
        // A key of the config: `floe compile` names it in the manifest.
        DuckDbComputeError::Config { key, reason } => config.invalid(&plugin_name(), &key, reason),
        other => PluginError::from_error(plugin_name(), PluginErrorKind::Config, other),
    })
}

floe_core::register_plugin!(METADATA, construct);

fn plugin_name() -> String {
    format!("{}/{}", METADATA.category, METADATA.name)
}

/// The DuckDB compute plugin.
#[derive(Clone, Debug)]
pub struct DuckDbCompute {
    config: DuckDbConfig,
}

impl DuckDbCompute {
    /// A plugin for `config`.
    ///
    /// # Errors
    /// [`DuckDbComputeError::Config`] when the config is invalid.
    pub fn new(config: DuckDbConfig) -> Result<Self, DuckDbComputeError> {
        config.validate()?;
        Ok(Self { config })
    }

    /// Its configuration.
    pub fn config(&self) -> &DuckDbConfig {
        &self.config
    }

    /// The environment the generated profile reads its secret settings from: hand it to
    /// the process that runs dbt.
    pub fn profile_env(&self) -> Vec<(String, Secret<String>)> {
        self.config
            .secret_settings
            .iter()
            .map(|(name, value)| (DuckDbConfig::secret_setting_env(name), value.clone()))
            .collect()
    }

    /// The database file name only, for spans and errors: no directory, and no query
    /// string (`md:lake?motherduck_token=...` carries a credential).
    fn db_file(&self) -> String {
        if self.config.path == IN_MEMORY {
            return IN_MEMORY.to_owned();
        }
        let without_query = self.config.path.split('?').next().unwrap_or_default();
        Path::new(without_query)
            .file_name()
            .map_or_else(|| "database".to_owned(), |n| n.to_string_lossy().into_owned())
    }

    fn base_attributes(&self) -> Vec<KeyValue> {
        vec![
            KeyValue::new(attr::COMPUTE_ENGINE, ENGINE),
            KeyValue::new(attr::COMPUTE_DB_PATH, self.db_file()),
        ]
    }

    /// DuckDB's error: its first line only (the lines after it quote the statement), with
    /// the secret settings and the database path removed, then sanitized.
    fn engine_error(&self, error: &duckdb::Error) -> EngineError {
        let path = Secret::new(self.config.path.clone());
        let known = self.config.secret_settings.values().chain(std::iter::once(&path));
        EngineError(sanitize_error_message(&scrub(first_line(&error.to_string()), known)))
    }

    /// Opens the database read-only (a check must not create a missing file, nor take the
    /// write lock a running dbt needs), applies the settings and reads the engine version.
    fn check_connection(&self) -> Result<String, DuckDbComputeError> {
        let file = self.db_file();
        let local_file = self.config.path != IN_MEMORY && !self.config.path.starts_with("md:");
        if local_file && !Path::new(&self.config.path).is_file() {
            return Err(DuckDbComputeError::NotFound { file });
        }
        let open_error = |e: &duckdb::Error| DuckDbComputeError::Open {
            file: file.clone(),
            source: self.engine_error(e),
        };
        let mut flags = duckdb::Config::default()
            .threads(i64::from(self.config.threads))
            .map_err(|e| open_error(&e))?;
        if local_file {
            flags = flags.access_mode(duckdb::AccessMode::ReadOnly).map_err(|e| open_error(&e))?;
        }
        if let Some(limit) = &self.config.memory_limit {
            flags = flags.max_memory(limit).map_err(|e| open_error(&e))?;
        }
        let connection = if self.config.path == IN_MEMORY {
            duckdb::Connection::open_in_memory_with_flags(flags)
        } else {
            duckdb::Connection::open_with_flags(&self.config.path, flags)
        }
        .map_err(|e| open_error(&e))?;
        let query_error = |what: String, e: &duckdb::Error| DuckDbComputeError::Query {
            what,
            file: file.clone(),
            source: self.engine_error(e),
        };
        let plain = self.config.settings.iter().map(|(k, v)| (k, v.as_str()));
        let secret = self.config.secret_settings.iter().map(|(k, v)| (k, v.expose().as_str()));
        for (name, value) in plain.chain(secret) {
            // The name is a checked identifier; the value is a quoted literal.
            let statement = format!("SET {name} = {}", sql::quote_literal(value));
            connection
                .execute_batch(&statement)
                .map_err(|e| query_error(format!("applying setting {name}"), &e))?;
        }
        connection
            .query_row("SELECT version()", [], |row| row.get::<_, String>(0))
            .map_err(|e| query_error("reading the version".to_owned(), &e))
    }
}

impl Plugin for DuckDbCompute {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        let profile = self
            .generate_profile(&self.config.target)
            .map_err(|e| PluginError::from_error(plugin_name(), PluginErrorKind::Config, e))?;
        Ok(serde_json::json!({
            "profile": profile,
            "profile_env": self.profile_env().into_iter().map(|(name, _)| name).collect::<Vec<_>>(),
            "resources": self.resource_requirements(),
            "cube_datasource": self.cube_datasource(),
            "dbt_packages": self.required_dbt_packages(),
        }))
    }
}

impl Compute for DuckDbCompute {
    type Error = DuckDbComputeError;

    fn generate_profile(&self, target: &str) -> Result<serde_json::Value, Self::Error> {
        let mut attributes = self.base_attributes();
        attributes.push(KeyValue::new(attr::COMPUTE_TARGET, target.to_owned()));
        // A leaf, so its span is not made current (see floe-network-security-k8s's
        // `network_policies`): ended as the SDK made it.
        let span = DomainSpan::start_with(TRACER_NAME, ComputeOp::GenerateProfile, attributes);
        let profile = profile::dbt_profile(&self.config, target);
        span.end_with(&profile);
        profile
    }

    fn attach_catalog_sql(&self, catalog: &CatalogAttachment) -> Result<Vec<String>, Self::Error> {
        let attributes = vec![
            KeyValue::new(attr::COMPUTE_ENGINE, ENGINE),
            KeyValue::new(attr::COMPUTE_CATALOG_ALIAS, catalog.alias.clone()),
        ];
        in_span(TRACER_NAME, ComputeOp::AttachCatalog, attributes, |span| {
            let statements = sql::attach_statements(catalog)?;
            let names: Vec<floe_core::telemetry::StringValue> =
                sql::checked_options(&catalog.options)?
                    .into_iter()
                    .map(|(name, _)| name.into())
                    .collect();
            span.set_attribute(KeyValue::new(
                attr::COMPUTE_OPTION_NAMES,
                floe_core::Value::Array(names.into()),
            ));
            Ok(statements)
        })
    }

    fn resource_requirements(&self) -> ResourceRequirements {
        profile::resources(&self.config)
    }

    fn cube_datasource(&self) -> serde_json::Value {
        profile::cube_datasource(&self.config)
    }

    fn required_dbt_packages(&self) -> Vec<DbtPackage> {
        vec![DbtPackage { name: "dbt-duckdb".to_owned(), version: ">=1.11,<1.12".to_owned() }]
    }

    async fn validate_connection(&self) -> Result<ConnectionReport, Self::Error> {
        in_span_async(
            TRACER_NAME,
            ComputeOp::ValidateConnection,
            self.base_attributes(),
            |span| async move {
                let started = Instant::now();
                let plugin = self.clone();
                let version = tokio::task::spawn_blocking(move || plugin.check_connection())
                    .await
                    .map_err(DuckDbComputeError::Task)??;
                span.set_attribute(KeyValue::new(attr::COMPUTE_ENGINE_VERSION, version.clone()));
                Ok(ConnectionReport {
                    engine_version: version,
                    latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                })
            },
        )
        .await
    }
}

impl Lifecycle for DuckDbCompute {
    /// The connection check: `Healthy` when the database file exists, opens read-only and
    /// answers SQL; a missing file is `Unhealthy` (and is not created). The check's own span
    /// (`compute.validate_connection`) ends as an error when it is not healthy.
    async fn health_check(&self) -> HealthStatus {
        match self.validate_connection().await {
            Ok(_) => HealthStatus::Healthy,
            Err(error) => HealthStatus::Unhealthy { reason: describe_error(&error).into_string() },
        }
    }
}
