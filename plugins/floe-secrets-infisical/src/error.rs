//! Errors of the Infisical plugin. Messages name the secret, folder, environment and what
//! Infisical answered; never a secret value, the client secret or id, or a token.

use floe_core::http::PeerError;
use floe_core::plugin::{PluginError, PluginErrorKind, ResolvedConfig};

/// A failed Infisical operation.
#[derive(Debug, thiserror::Error)]
pub enum InfisicalError {
    /// The configuration is not usable.
    #[error("invalid configuration: {key}: {reason}")]
    Config {
        /// The config key (`site_url`).
        key: &'static str,
        /// What is wrong (never a value).
        reason: String,
    },
    /// A key is not `[folder/...]NAME` with valid names.
    #[error("invalid secret key {key:?}: expected [folder/]NAME with names of [A-Za-z0-9_.-]")]
    InvalidKey {
        /// The key as given.
        key: String,
    },
    /// A required secret does not exist.
    #[error("required secret {key} not found in environment {environment}")]
    NotFound {
        /// The key.
        key: String,
        /// The environment slug.
        environment: String,
    },
    /// Universal Auth login or token renewal failed; the source's peer text was scrubbed
    /// of the client id, client secret and token, then sanitized.
    #[error("the infisical machine identity {action} failed: {source}")]
    Login {
        /// `login` or `renew`.
        action: &'static str,
        /// What the peer-call path saw.
        #[source]
        source: PeerError,
    },
    /// `/api/status` did not answer as an Infisical instance does.
    #[error("the infisical status check failed: {source}")]
    StatusCheck {
        /// What the peer-call path saw.
        #[source]
        source: PeerError,
    },
    /// A secrets call failed; the source's peer text was scrubbed of the token and the
    /// values sent, then sanitized.
    #[error(
        "cannot {action} secret {key} in environment {environment} through infisical: {source}"
    )]
    Api {
        /// What was attempted.
        action: &'static str,
        /// The key (or `*` for a list).
        key: String,
        /// The environment.
        environment: String,
        /// What the peer-call path saw.
        #[source]
        source: PeerError,
    },
    /// Infisical answered something the API does not allow.
    #[error("unexpected answer from infisical to {action}: {detail}")]
    Protocol {
        /// What was attempted.
        action: &'static str,
        /// What was wrong (never a value).
        detail: String,
    },
}

impl InfisicalError {
    /// The kind of failure, for callers that react to it.
    pub fn kind(&self) -> PluginErrorKind {
        match self {
            Self::Config { .. } | Self::InvalidKey { .. } => PluginErrorKind::Config,
            Self::NotFound { .. } => PluginErrorKind::NotFound,
            Self::Login { source, .. } if source.status().is_some_and(|s| s < 500) => {
                PluginErrorKind::Unauthorized
            }
            Self::Login { source, .. }
            | Self::Api { source, .. }
            | Self::StatusCheck { source } => source.kind(),
            Self::Protocol { .. } => PluginErrorKind::Protocol,
        }
    }

    /// The error `floe compile` reports for a configuration this plugin refuses: named
    /// by its manifest key (`plugins.secrets[1].config.site_url`).
    pub(crate) fn in_config(self, config: &ResolvedConfig, plugin: &str) -> PluginError {
        match &self {
            Self::Config { key, reason } => config.invalid(plugin, key, reason),
            _ => self.into(),
        }
    }
}

impl From<InfisicalError> for PluginError {
    fn from(error: InfisicalError) -> Self {
        let kind = error.kind();
        PluginError::from_error("secrets/infisical", kind, error)
    }
}
