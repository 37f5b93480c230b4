//! Errors of the Keycloak plugin. Messages name the realm, endpoint kind, grant and what
//! Keycloak answered (scrubbed of every credential the call sent, then sanitized); never
//! a token, a secret, a password, a user name or a subject.

use std::fmt;

use floe_core::http::{EndpointError, PeerError};
use floe_core::plugin::{PluginError, PluginErrorKind, ResolvedConfig};

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
    /// `azp` is missing or names a client that is not an authorized party.
    WrongAuthorizedParty,
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
            Self::WrongAuthorizedParty => "wrong_authorized_party",
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
    /// The configuration is not usable. (The key is never followed by `:`: a key named
    /// like a secret would make the sanitizer take the reason for its value.)
    #[error("the configuration key {key} is invalid: {reason}")]
    Config {
        /// The config key (`server_url`).
        key: &'static str,
        /// What is wrong (never a value).
        reason: String,
    },
    /// A call to the realm got no usable answer: unreachable, too slow, a redirect, a
    /// refusal (the OAuth2 `error` and `error_description`, scrubbed of every credential
    /// the call sent, then sanitized), a body too large or not the expected JSON.
    #[error("{action} in realm {realm} failed: {source}")]
    Peer {
        /// What was attempted (`discovery`, `the password grant`, ...).
        action: &'static str,
        /// The realm.
        realm: String,
        /// What the peer-call path saw.
        #[source]
        source: PeerError,
    },
    /// The realm's discovery document announces an endpoint the plugin will not call:
    /// on another origin than `server_url` (another host or port, or plain `http`).
    #[error(
        "the discovery document of realm {realm} announces a {endpoint} the plugin will not call: {source}"
    )]
    Endpoint {
        /// The realm.
        realm: String,
        /// The document's key (`token_endpoint`, `userinfo_endpoint`, `jwks_uri`).
        endpoint: &'static str,
        /// Why.
        #[source]
        source: EndpointError,
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
            Self::Peer { source, .. } => source.kind(),
            Self::Rejected { .. } => PluginErrorKind::Unauthorized,
            Self::Endpoint { .. } | Self::Protocol { .. } => PluginErrorKind::Protocol,
        }
    }

    /// Why the token was rejected, when it was.
    pub fn rejection(&self) -> Option<Rejection> {
        match self {
            Self::Rejected { reason, .. } => Some(*reason),
            _ => None,
        }
    }

    /// The error `floe compile` reports for a configuration this plugin refuses: named
    /// by its manifest key (`plugins.identity[0].config.server_url`).
    pub(crate) fn in_config(self, config: &ResolvedConfig, plugin: &str) -> PluginError {
        match &self {
            Self::Config { key, reason } => config.invalid(plugin, key, reason),
            _ => self.into(),
        }
    }
}

impl From<KeycloakError> for PluginError {
    fn from(error: KeycloakError) -> Self {
        let kind = error.kind();
        PluginError::from_error(crate::PLUGIN, kind, error)
    }
}
