//! Identity providers: OpenID Connect.

use std::collections::BTreeMap;

use serde::Serialize;

use super::CategoryError;
use crate::secret::Secret;

/// An OAuth2 grant.
#[derive(Clone, Debug)]
pub enum TokenGrant {
    /// The client's own credentials.
    ClientCredentials {
        /// Requested scopes.
        scopes: Vec<String>,
    },
    /// A user's password (resource-owner grant).
    Password {
        /// The user name.
        username: String,
        /// The password.
        password: Secret<String>,
        /// Requested scopes.
        scopes: Vec<String>,
    },
    /// A refresh token the provider issued earlier (with an authorization code, say),
    /// exchanged for a new access token.
    RefreshToken {
        /// The refresh token.
        refresh_token: Secret<String>,
        /// Requested scopes (empty: those of the original grant).
        scopes: Vec<String>,
    },
}

impl TokenGrant {
    /// The grant's `grant_type` (`client_credentials`, `password`, `refresh_token`).
    pub const fn grant_type(&self) -> &'static str {
        match self {
            Self::ClientCredentials { .. } => "client_credentials",
            Self::Password { .. } => "password",
            Self::RefreshToken { .. } => "refresh_token",
        }
    }

    /// The requested scopes.
    pub fn scopes(&self) -> &[String] {
        match self {
            Self::ClientCredentials { scopes }
            | Self::Password { scopes, .. }
            | Self::RefreshToken { scopes, .. } => scopes,
        }
    }
}

/// Tokens the provider issued. Never recorded.
#[derive(Clone, Debug)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: Secret<String>,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// The refresh token, if any.
    pub refresh_token: Option<Secret<String>>,
    /// `Bearer`.
    pub token_type: String,
}

/// What `userinfo` returned.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UserInfo {
    /// The subject (personal data: never recorded raw).
    pub subject: String,
    /// Other claims.
    pub claims: BTreeMap<String, serde_json::Value>,
}

/// Claims of a validated token.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TokenClaims {
    /// `sub` (personal data: never recorded raw).
    pub subject: String,
    /// `iss`.
    pub issuer: String,
    /// `aud`.
    pub audience: Vec<String>,
    /// `exp`, seconds since the epoch.
    pub expires_at: u64,
    /// Other claims.
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// An OpenID Connect provider.
pub trait IdentityProvider {
    /// The plugin's error.
    type Error: CategoryError;

    /// Fetches `/.well-known/openid-configuration`.
    fn discover(&self) -> impl Future<Output = Result<serde_json::Value, Self::Error>> + Send;
    /// Obtains a token.
    fn token(
        &self,
        grant: &TokenGrant,
    ) -> impl Future<Output = Result<TokenResponse, Self::Error>> + Send;
    /// Calls the userinfo endpoint.
    fn userinfo(
        &self,
        access_token: &Secret<String>,
    ) -> impl Future<Output = Result<UserInfo, Self::Error>> + Send;
    /// Validates a JWT against the provider's keys (signature, `exp`, `iss`, `aud`, and
    /// the authorized party where the provider names one).
    fn validate_token(
        &self,
        token: &Secret<String>,
    ) -> impl Future<Output = Result<TokenClaims, Self::Error>> + Send;
}
