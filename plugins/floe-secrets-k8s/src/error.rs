//! Errors of the Kubernetes Secrets plugin. Messages name the Secret, key, namespace and
//! what the API server answered; they never hold a secret value or a token.

use std::path::PathBuf;

use floe_core::http::PeerError;
use floe_core::plugin::{PluginError, PluginErrorKind, ResolvedConfig};

/// What the plugin was doing when a call failed (`read`, `create`, ...).
pub(crate) type Action = &'static str;

/// A failed Kubernetes Secrets operation.
#[derive(Debug, thiserror::Error)]
pub enum K8sSecretsError {
    /// The plugin's configuration is not usable.
    #[error("invalid configuration: {key}: {reason}")]
    Config {
        /// The config key (`api_server`).
        key: &'static str,
        /// What is wrong (never a value).
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
    /// The API server refused the call, failed it, or could not be reached; the
    /// source's peer text was scrubbed of the token and sanitized.
    #[error(
        "cannot {action} secret {name} in namespace {namespace} through the kubernetes api: {source}"
    )]
    Api {
        /// What was attempted.
        action: &'static str,
        /// The Secret (or `*` for a list).
        name: String,
        /// The namespace.
        namespace: String,
        /// What the peer-call path saw.
        #[source]
        source: PeerError,
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
            Self::NotFound { .. } => PluginErrorKind::NotFound,
            Self::Api { source, .. } => source.kind(),
            Self::Protocol { .. } | Self::Encoding { .. } => PluginErrorKind::Protocol,
        }
    }

    /// The error `floe compile` reports for a configuration this plugin refuses: named
    /// by its manifest key (`plugins.secrets[0].config.api_server`).
    pub(crate) fn in_config(self, config: &ResolvedConfig, plugin: &str) -> PluginError {
        match &self {
            Self::Config { key, reason } => config.invalid(plugin, key, reason),
            Self::CaBundle { .. } => {
                config.invalid(plugin, "ca_file", floe_core::telemetry::describe_error(&self))
            }
            _ => self.into(),
        }
    }
}

impl From<K8sSecretsError> for PluginError {
    fn from(error: K8sSecretsError) -> Self {
        let kind = error.kind();
        PluginError::from_error("secrets/k8s", kind, error)
    }
}
