//! Errors of the Keycloak plugin. Messages name the realm, endpoint kind, grant and what
//! Keycloak answered; never a token, a secret, a password, a user name or a subject.

use std::fmt;

use floe_core::plugin::{PluginError, PluginErrorKind};
use floe_core::telemetry::SanitizedMessage;

/// Why a token was rejected (the values of `identity.rejection_reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// Not a compact JWS with JSON header and claims.
    Malformed,
    /// `alg` is not one of the accepted RSA algorithms.
    UnsupportedAlgorithm,
    /// No key of the realm's JWKS matches the token's `kid`.
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
    /// `exp` has passed (beyond the leeway) or is missing.
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    NotYetValid,
    /// `iss` is not the realm's issuer.
    WrongIssuer,
    /// `aud` does not contain the expected audience.
    WrongAudience,
}

impl Rejection {
    /// The registry value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::UnsupportedAlgorithm => "unsupported_algorithm",
            Self::UnknownKey => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed Keycloak operation.
#[derive(Debug, thiserror::Error)]
pub enum KeycloakError {
    /// The configuration is not usable.
    #[error("invalid configuration: {reason}")]
    Config {
        /// What is wrong (names the key, never a value).
        reason: String,
    },
    /// Keycloak could not be reached or did not answer in time.
    #[error("cannot reach keycloak at {destination} for {action} in realm {realm}")]
    Transport {
        /// What was attempted.
        action: &'static str,
        /// The realm.
        realm: String,
        /// `host[:port]`.
        destination: String,
        /// The transport error (its URL stripped).
        #[source]
        source: reqwest::Error,
    },
    /// Keycloak answered with a failure status.
    #[error("keycloak refused {action} in realm {realm}: {code} {error}: {description}")]
    Refused {
        /// What was attempted (`discovery`, `the client_credentials grant`, ...).
        action: String,
        /// The realm.
        realm: String,
        /// The HTTP status.
        code: u16,
        /// The OAuth2 `error` code, when Keycloak sent one.
        error: String,
        /// The `error_description`, sanitized.
        description: SanitizedMessage,
    },
    /// Keycloak answered something the protocol does not allow.
    #[error("unexpected answer from keycloak for {action} in realm {realm}: {detail}")]
    Protocol {
        /// What was attempted.
        action: &'static str,
        /// The realm.
        realm: String,
        /// What was wrong (never a value).
        detail: String,
    },
    /// A token failed validation.
    #[error("token rejected by realm {realm}: {reason}")]
    Rejected {
        /// The realm.
        realm: String,
        /// Why.
        reason: Rejection,
    },
}

impl KeycloakError {
    /// The kind of failure, for callers that react to it.
    pub fn kind(&self) -> PluginErrorKind {
        match self {
            Self::Config { .. } => PluginErrorKind::Config,
            Self::Transport { source, .. } if source.is_timeout() => PluginErrorKind::Timeout,
            Self::Transport { .. } => PluginErrorKind::Unavailable,
            Self::Refused { code: 400 | 401 | 403, .. } | Self::Rejected { .. } => {
                PluginErrorKind::Unauthorized
            }
            Self::Refused { code: 404, .. } => PluginErrorKind::NotFound,
            Self::Refused { .. } => PluginErrorKind::Rejected,
            Self::Protocol { .. } => PluginErrorKind::Protocol,
        }
    }

    /// Why the token was rejected, when it was.
    pub fn rejection(&self) -> Option<Rejection> {
        match self {
            Self::Rejected { reason, .. } => Some(*reason),
            _ => None,
        }
    }
}

impl From<KeycloakError> for PluginError {
    fn from(error: KeycloakError) -> Self {
        let kind = error.kind();
        PluginError::from_error("identity/keycloak", kind, error)
    }
}
