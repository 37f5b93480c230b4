//! floe-identity-keycloak: Keycloak as floe's OpenID Connect identity provider.
//!
//! For one realm (and any number of realm variants sharing the connection, see
//! [`KeycloakPlugin::for_realm`]): OIDC discovery, token grants (client credentials and
//! password), userinfo, and JWT validation against the realm's JWKS with `ring`
//! (signature, `exp`, `nbf`, `iss`, `aud`; RSA algorithms only). Every operation is an
//! `identity.*` span of tracer [`telemetry::TRACER_NAME`]; tokens, secrets, passwords and
//! raw subjects never reach a span, an error or a log (subjects appear as a salted hash).
//!
//! JWT validation uses `ring` directly instead of `jsonwebtoken`: `jsonwebtoken` 10+ needs
//! either `aws-lc-rs` (forbidden here) or its `rust_crypto` backend (the `rsa`, `p256`,
//! `p384` and `ed25519-dalek` stacks), while `ring` is already built for rustls.

pub mod config;
mod error;
mod jwt;
mod oidc;
mod ops;
pub mod telemetry;

use std::sync::Arc;
use std::time::Duration;

use floe_core::http::{RetryPolicy, client, safe_destination};
use floe_core::plugin::categories::{
    IdentityProvider, TokenClaims, TokenGrant, TokenResponse, UserInfo,
};
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginMetadata, ResolvedConfig,
};
use floe_core::secret::Secret;
use ring::rand::SecureRandom as _;

pub use config::KeycloakConfig;
pub use error::{KeycloakError, Rejection};

/// The plugin's metadata.
pub static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "keycloak",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::Identity,
    "Keycloak OpenID Connect: discovery, token grants, userinfo and JWT validation",
)
.with_tracer_name(telemetry::TRACER_NAME)
.with_config_schema(config::schema);

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let config: KeycloakConfig = config.decode("identity/keycloak")?;
    Ok(Box::new(KeycloakPlugin::new(&config)?))
}

floe_core::register_plugin!(METADATA, construct);

/// One Keycloak realm, as seen by one OAuth2 client.
#[derive(Debug)]
pub struct KeycloakPlugin {
    connection: Arc<oidc::Connection>,
    realm: String,
    client_id: String,
    client_secret: Option<Secret<String>>,
    audience: String,
    algorithms: Vec<String>,
    leeway: u64,
    retry: RetryPolicy,
    discovery: tokio::sync::Mutex<Option<Arc<oidc::Discovery>>>,
    jwks: tokio::sync::Mutex<Option<Arc<jwt::Jwks>>>,
}

fn config_error(reason: &str) -> KeycloakError {
    KeycloakError::Config { reason: reason.to_owned() }
}

fn check_realm(realm: &str) -> Result<(), KeycloakError> {
    let valid = !realm.is_empty()
        && realm.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid { Ok(()) } else { Err(config_error("realm must be a name of [A-Za-z0-9._-]")) }
}

impl KeycloakPlugin {
    /// Checks `config` and builds the client; makes no call.
    ///
    /// # Errors
    /// [`KeycloakError::Config`] for a bad config.
    pub fn new(config: &KeycloakConfig) -> Result<Self, KeycloakError> {
        let url = url::Url::parse(&config.server_url)
            .map_err(|_| config_error("server_url is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(config_error("server_url must be an http(s) URL with a host"));
        }
        if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
            return Err(config_error("server_url must not carry credentials or a query"));
        }
        check_realm(&config.realm)?;
        if config.client_id.trim().is_empty() {
            return Err(config_error("client_id must not be empty"));
        }
        if config.algorithms.is_empty()
            || !config.algorithms.iter().all(|a| jwt::SUPPORTED.contains(&a.as_str()))
        {
            return Err(config_error("algorithms must be RSA JWS algorithms (RS256 ... PS512)"));
        }
        if config.timeout_secs == 0 {
            return Err(config_error("timeout_secs must be at least 1"));
        }
        let http = client(Duration::from_secs(config.timeout_secs))
            .map_err(|_| config_error("the HTTP client cannot be built with this TLS set-up"))?;
        let mut salt = [0_u8; 16];
        ring::rand::SystemRandom::new()
            .fill(&mut salt)
            .map_err(|_| config_error("no system randomness for the subject-hash salt"))?;
        let connection = oidc::Connection {
            http,
            server: config.server_url.trim_end_matches('/').to_owned(),
            host: url.host_str().unwrap_or_default().to_owned(),
            destination: safe_destination(&config.server_url),
            salt,
        };
        Ok(Self {
            connection: Arc::new(connection),
            realm: config.realm.clone(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            audience: config.audience.clone().unwrap_or_else(|| config.client_id.clone()),
            algorithms: config.algorithms.clone(),
            leeway: config.leeway_secs,
            retry: RetryPolicy::default(),
            discovery: tokio::sync::Mutex::new(None),
            jwks: tokio::sync::Mutex::new(None),
        })
    }

    /// The same client in another realm: shares the HTTP connection and the subject-hash
    /// salt, keeps its own discovery and keys.
    ///
    /// # Errors
    /// [`KeycloakError::Config`] when `realm` is not a valid realm name.
    pub fn for_realm(&self, realm: &str) -> Result<Self, KeycloakError> {
        check_realm(realm)?;
        Ok(Self {
            connection: Arc::clone(&self.connection),
            realm: realm.to_owned(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            audience: self.audience.clone(),
            algorithms: self.algorithms.clone(),
            leeway: self.leeway,
            retry: self.retry,
            discovery: tokio::sync::Mutex::new(None),
            jwks: tokio::sync::Mutex::new(None),
        })
    }

    /// Uses `retry` for reads instead of the default (three attempts, 200 ms doubling).
    #[must_use]
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The realm.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// The issuer this realm must announce: `<server_url>/realms/<realm>`.
    pub fn expected_issuer(&self) -> String {
        format!("{}/realms/{}", self.connection.server, self.realm)
    }
}

impl Plugin for KeycloakPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(serde_json::json!({
            "provider": telemetry::PROVIDER,
            "issuer": self.expected_issuer(),
            "client_id": self.client_id,
            "audience": self.audience,
        }))
    }
}

impl Lifecycle for KeycloakPlugin {
    async fn startup(&self) -> Result<(), PluginError> {
        self.discovery().await.map(drop).map_err(PluginError::from)
    }

    async fn health_check(&self) -> HealthStatus {
        self.health().await
    }
}

impl IdentityProvider for KeycloakPlugin {
    type Error = KeycloakError;

    async fn discover(&self) -> Result<serde_json::Value, KeycloakError> {
        self.discover_document().await
    }

    async fn token(&self, grant: &TokenGrant) -> Result<TokenResponse, KeycloakError> {
        self.grant(grant).await
    }

    async fn userinfo(&self, access_token: &Secret<String>) -> Result<UserInfo, KeycloakError> {
        self.user(access_token).await
    }

    async fn validate_token(&self, token: &Secret<String>) -> Result<TokenClaims, KeycloakError> {
        self.validate(token).await
    }
}
