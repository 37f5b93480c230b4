//! Errors of the Infisical plugin. Messages name the secret, folder, environment and what
//! Infisical answered; never a secret value, the client secret or a token.

use floe_core::plugin::{PluginError, PluginErrorKind};
use floe_core::telemetry::SanitizedMessage;

/// A failed Infisical operation.
#[derive(Debug, thiserror::Error)]
pub enum InfisicalError {
    /// The configuration is not usable.
    #[error("invalid configuration: {reason}")]
    Config {
        /// What is wrong (names the key, never a value).
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
    /// Universal Auth login or token renewal was refused.
    #[error("infisical refused the machine identity {action}: {code} {error}: {message}")]
    Auth {
        /// `login` or `renew`.
        action: &'static str,
        /// The HTTP status.
        code: u16,
        /// Infisical's error name.
        error: String,
        /// Infisical's message, sanitized.
        message: SanitizedMessage,
    },
    /// Infisical answered a secrets call with a failure.
    #[error(
        "infisical refused to {action} secret {key} in environment {environment}: {code} {error}: {message}"
    )]
    Api {
        /// What was attempted.
        action: &'static str,
        /// The key (or `*` for a list).
        key: String,
        /// The environment.
        environment: String,
        /// The HTTP status.
        code: u16,
        /// Infisical's error name.
        error: String,
        /// Infisical's message, sanitized.
        message: SanitizedMessage,
    },
    /// Infisical could not be reached or did not answer in time.
    #[error("cannot reach infisical at {destination} to {action}")]
    Transport {
        /// What was attempted.
        action: &'static str,
        /// `host[:port]`.
        destination: String,
        /// The transport error (its URL stripped).
        #[source]
        source: reqwest::Error,
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
            Self::NotFound { .. } | Self::Api { code: 404, .. } => PluginErrorKind::NotFound,
            Self::Auth { .. } | Self::Api { code: 401 | 403, .. } => PluginErrorKind::Unauthorized,
            Self::Api { .. } => PluginErrorKind::Rejected,
            Self::Transport { source, .. } if source.is_timeout() => PluginErrorKind::Timeout,
            Self::Transport { .. } => PluginErrorKind::Unavailable,
            Self::Protocol { .. } => PluginErrorKind::Protocol,
        }
    }
}

impl From<InfisicalError> for PluginError {
    fn from(error: InfisicalError) -> Self {
        let kind = error.kind();
        PluginError::from_error("secrets/infisical", kind, error)
    }
}
