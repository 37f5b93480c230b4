//! Errors of the Polaris plugin. Messages say which operation failed on which namespace
//! or table; the catalog's own text is sanitized, and no credential is ever part of one.

use floe_core::plugin::{PluginError, PluginErrorKind};
use floe_core::telemetry::describe_error;
use floe_iceberg::IcebergError;

/// A failed Polaris operation.
#[derive(Debug, thiserror::Error)]
pub enum PolarisError {
    /// The plugin's configuration is not usable.
    #[error("invalid configuration: {reason}")]
    Config {
        /// What is wrong (names the key, never a value).
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
    /// The catalog refused or failed an operation.
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
            Self::Catalog { source, .. } => match source {
                IcebergError::InvalidConfig { .. } => PluginErrorKind::Config,
                IcebergError::NotFound { .. } => PluginErrorKind::NotFound,
                IcebergError::Unauthorized { .. } | IcebergError::Token { .. } => {
                    PluginErrorKind::Unauthorized
                }
                IcebergError::AlreadyExists { .. }
                | IcebergError::CommitConflict { .. }
                | IcebergError::Rejected { .. } => PluginErrorKind::Rejected,
                IcebergError::Transport(e) if e.is_timeout() => PluginErrorKind::Timeout,
                IcebergError::Server { .. } | IcebergError::Transport(_) => {
                    PluginErrorKind::Unavailable
                }
                IcebergError::Decode(_) => PluginErrorKind::Protocol,
            },
        }
    }
}

impl From<PolarisError> for PluginError {
    fn from(error: PolarisError) -> Self {
        let kind = error.kind();
        PluginError::from_error("catalog/polaris", kind, error)
    }
}
