//! Errors of the Polaris plugin. Messages say which operation failed on which namespace
//! or table; the catalog's own text is scrubbed of the credentials the call sent and
//! sanitized, and no credential is ever part of one.

use floe_core::plugin::{PluginError, PluginErrorKind, ResolvedConfig};
use floe_core::telemetry::describe_error;
use floe_iceberg::IcebergError;

/// The plugin as errors name it.
pub(crate) const PLUGIN: &str = "catalog/polaris";

/// A failed Polaris operation.
#[derive(Debug, thiserror::Error)]
pub enum PolarisError {
    /// The plugin's configuration is not usable.
    #[error("invalid configuration: {key}: {reason}")]
    Config {
        /// The config key (`token_url`).
        key: &'static str,
        /// What is wrong (never a value).
        reason: String,
    },
    /// A table spec is not an Iceberg schema or partition spec.
    #[error("invalid table spec for {table}: {reason}")]
    TableSpec {
        /// `namespace.table`.
        table: String,
        /// What is wrong.
        reason: String,
    },
    /// The catalog refused or failed an operation, or could not be reached.
    #[error("{action} failed: {}", describe_error(.source))]
    Catalog {
        /// What was attempted (`create namespace bronze`).
        action: String,
        /// The catalog client's error.
        #[source]
        source: IcebergError,
    },
    /// A table load asked for credentials and the catalog vended none.
    #[error(
        "catalog vended no storage credentials for {table} (is credential vending enabled for the catalog and the principal?)"
    )]
    NoCredentials {
        /// `namespace.table`.
        table: String,
    },
}

impl PolarisError {
    pub(crate) fn catalog(action: impl Into<String>) -> impl FnOnce(IcebergError) -> Self {
        let action = action.into();
        move |source| Self::Catalog { action, source }
    }

    /// The kind of failure, for callers that react to it.
    pub fn kind(&self) -> PluginErrorKind {
        match self {
            Self::Config { .. } => PluginErrorKind::Config,
            Self::TableSpec { .. } => PluginErrorKind::Rejected,
            Self::NoCredentials { .. } => PluginErrorKind::NotFound,
            Self::Catalog { source, .. } => source.kind(),
        }
    }

    /// The error `floe compile` reports for a configuration this plugin refuses: named
    /// by its manifest key (`plugins.catalog[0].config.token_url`).
    pub(crate) fn in_config(self, config: &ResolvedConfig) -> PluginError {
        match &self {
            Self::Config { key, reason } => config.invalid(PLUGIN, key, reason),
            _ => self.into(),
        }
    }
}

impl From<PolarisError> for PluginError {
    fn from(error: PolarisError) -> Self {
        let kind = error.kind();
        PluginError::from_error(PLUGIN, kind, error)
    }
}
