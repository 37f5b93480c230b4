//! Errors of the Kubernetes Secrets plugin. Messages name the Secret, key, namespace and
//! what the API server answered; they never hold a secret value or a token.

use std::path::PathBuf;

use floe_core::plugin::{PluginError, PluginErrorKind};
use floe_core::telemetry::SanitizedMessage;

/// What the plugin was doing when a call failed (`read`, `create`, ...).
pub(crate) type Action = &'static str;

/// A failed Kubernetes Secrets operation.
#[derive(Debug, thiserror::Error)]
pub enum K8sSecretsError {
    /// The plugin's configuration is not usable.
    #[error("invalid configuration: {reason}")]
    Config {
        /// What is wrong (names the key, never a value).
        reason: String,
    },
    /// The CA bundle could not be read or used.
    #[error("cannot use the CA bundle {path}")]
    CaBundle {
        /// The bundle file.
        path: PathBuf,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The token file could not be read.
    #[error("cannot read the service-account token file {path}")]
    TokenFile {
        /// The token file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A key is not `<secret-name>/<data-key>` with valid Kubernetes names.
    #[error(
        "invalid secret key {key:?}: expected <secret-name>/<data-key>, a DNS-1123 name and a key of [-._a-zA-Z0-9]"
    )]
    InvalidKey {
        /// The key as given.
        key: String,
    },
    /// A required secret does not exist.
    #[error("required secret {key} not found in namespace {namespace}")]
    NotFound {
        /// `name/key` or `name`.
        key: String,
        /// The namespace.
        namespace: String,
    },
    /// The API server answered with a failure status.
    #[error(
        "kubernetes api refused to {action} secret {name} in namespace {namespace}: {code} {reason}: {message}"
    )]
    Api {
        /// What was attempted.
        action: &'static str,
        /// The Secret (or `*` for a list).
        name: String,
        /// The namespace.
        namespace: String,
        /// The HTTP status.
        code: u16,
        /// The `Status` reason (`Forbidden`, `Conflict`, ...).
        reason: String,
        /// The `Status` message, sanitized.
        message: SanitizedMessage,
    },
    /// The API server could not be reached or did not answer in time.
    #[error("cannot reach the kubernetes api at {destination} to {action} secret {name}")]
    Transport {
        /// What was attempted.
        action: &'static str,
        /// The Secret (or `*`).
        name: String,
        /// `host[:port]`.
        destination: String,
        /// The transport error (its URL stripped).
        #[source]
        source: reqwest::Error,
    },
    /// The API server answered something the protocol does not allow.
    #[error("unexpected answer from the kubernetes api to {action} secret {name}: {detail}")]
    Protocol {
        /// What was attempted.
        action: &'static str,
        /// The Secret.
        name: String,
        /// What was wrong (never a value).
        detail: String,
    },
    /// A stored value is not base64 of UTF-8 text.
    #[error("secret {key} in namespace {namespace} is not base64-encoded UTF-8 text")]
    Encoding {
        /// `name/key`.
        key: String,
        /// The namespace.
        namespace: String,
    },
    /// Two requested keys would inject the same environment variable.
    #[error("keys {first} and {second} both map to environment variable {variable}")]
    DuplicateEnv {
        /// The variable.
        variable: String,
        /// The first key.
        first: String,
        /// The second key.
        second: String,
    },
}

impl K8sSecretsError {
    /// The kind of failure, for callers that react to it.
    pub fn kind(&self) -> PluginErrorKind {
        match self {
            Self::Config { .. }
            | Self::CaBundle { .. }
            | Self::TokenFile { .. }
            | Self::InvalidKey { .. }
            | Self::DuplicateEnv { .. } => PluginErrorKind::Config,
            Self::NotFound { .. } | Self::Api { code: 404, .. } => PluginErrorKind::NotFound,
            Self::Api { code: 401 | 403, .. } => PluginErrorKind::Unauthorized,
            Self::Api { .. } => PluginErrorKind::Rejected,
            Self::Transport { source, .. } if source.is_timeout() => PluginErrorKind::Timeout,
            Self::Transport { .. } => PluginErrorKind::Unavailable,
            Self::Protocol { .. } | Self::Encoding { .. } => PluginErrorKind::Protocol,
        }
    }
}

impl From<K8sSecretsError> for PluginError {
    fn from(error: K8sSecretsError) -> Self {
        let kind = error.kind();
        PluginError::from_error("secrets/k8s", kind, error)
    }
}
