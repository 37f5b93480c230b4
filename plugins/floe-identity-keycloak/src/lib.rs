//! floe-identity-keycloak: Keycloak as floe's OpenID Connect identity provider.
//!
//! For one realm (and any number of realm variants sharing the connection, see
//! [`KeycloakPlugin::for_realm`]): OIDC discovery, token grants (client credentials,
//! password, refresh token; the client secret sent with `client_secret_basic` or
//! `client_secret_post`), userinfo, and JWT validation against the realm's JWKS with
//! `ring` (signature, `exp`, `nbf`, `iss`, `aud`, `azp`; RSA algorithms only). Every
//! operation is an `identity.*` span of tracer [`telemetry::TRACER_NAME`]; tokens,
//! secrets, passwords and raw subjects never reach a span, an error or a log (subjects
//! appear as a salted hash).
//!
//! Every call goes through floe-core's peer-call path (`floe_core::http::Peer`): the
//! server must be `https`, plain `http` to this machine, or plain `http` with
//! `allow_insecure_http`; the endpoints its discovery document announces must be on the
//! same origin, or the document is refused before any credential is sent; redirects are
//! never followed; Keycloak's `error_description` is scrubbed of every credential the
//! call sent before it is sanitized. The key set is fetched again for an unknown `kid` at
//! most once per `jwks_min_refresh_secs`.
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

use floe_core::http::{Peer, RetryEvents, RetryPolicy};
use floe_core::plugin::categories::{
    IdentityProvider, TokenClaims, TokenGrant, TokenResponse, UserInfo,
};
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginMetadata, ResolvedConfig,
};
use floe_core::secret::Secret;
use floe_core::telemetry::attr;
use ring::rand::SecureRandom as _;

pub use config::{ClientAuth, KeycloakConfig};
pub use error::{KeycloakError, Rejection};

/// The plugin as errors name it.
pub(crate) const PLUGIN: &str = "identity/keycloak";

/// The audience Keycloak gives its access tokens by default.
pub const DEFAULT_AUDIENCE: &str = "account";

/// The largest answer read from Keycloak: its documents, tokens and key sets are a few
/// kilobytes.
const MAX_ANSWER_BYTES: usize = 1 << 20;

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
    let typed: KeycloakConfig = config.decode(PLUGIN)?;
    let plugin = KeycloakPlugin::new(&typed).map_err(|error| error.in_config(config, PLUGIN))?;
    Ok(Box::new(plugin))
}

floe_core::register_plugin!(METADATA, construct);

/// One Keycloak realm, as seen by one OAuth2 client.
#[derive(Debug)]
pub struct KeycloakPlugin {
    connection: Arc<oidc::Connection>,
    realm: String,
    client_id: String,
    client_secret: Option<Secret<String>>,
    client_auth: ClientAuth,
    audience: String,
    authorized_parties: Vec<String>,
    algorithms: Vec<String>,
    leeway: u64,
    jwks_min_refresh: Duration,
    discovery: tokio::sync::Mutex<Option<Arc<oidc::Discovery>>>,
    keys: tokio::sync::Mutex<ops::KeyCache>,
}

fn config_error(key: &'static str, reason: &str) -> KeycloakError {
    KeycloakError::Config { key, reason: reason.to_owned() }
}

/// `value` as `application/x-www-form-urlencoded` encodes it (RFC 6749 section 2.3.1
/// encodes the client id and secret so before they are joined for HTTP Basic).
pub(crate) fn form_encoded(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn check_realm(realm: &str) -> Result<(), KeycloakError> {
    let valid = !realm.is_empty()
        && !realm.chars().all(|c| c == '.')
        && realm.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(())
    } else {
        Err(config_error("realm", "must be a name of [A-Za-z0-9._-], not only dots"))
    }
}

fn check_not_empty(key: &'static str, value: &str) -> Result<(), KeycloakError> {
    if value.trim().is_empty() { Err(config_error(key, "must not be empty")) } else { Ok(()) }
}

impl KeycloakPlugin {
    /// Checks `config` and builds the client; makes no call.
    ///
    /// # Errors
    /// [`KeycloakError::Config`] naming the key of a bad value (never the value).
    pub fn new(config: &KeycloakConfig) -> Result<Self, KeycloakError> {
        let events = RetryEvents::new(attr::IDENTITY_RETRY_EVENT, attr::IDENTITY_ATTEMPT);
        let builder = Peer::builder(&config.server_url, config.allow_insecure_http, events)
            .map_err(|error| config_error("server_url", &error.to_string()))?;
        check_realm(&config.realm)?;
        check_not_empty("client_id", &config.client_id)?;
        if let Some(secret) = &config.client_secret {
            check_not_empty("client_secret", secret.expose())?;
        }
        if let Some(audience) = &config.audience {
            check_not_empty("audience", audience)?;
        }
        let authorized_parties =
            config.authorized_parties.clone().unwrap_or_else(|| vec![config.client_id.clone()]);
        if authorized_parties.is_empty() || authorized_parties.iter().any(|p| p.trim().is_empty()) {
            return Err(config_error("authorized_parties", "must name at least one client"));
        }
        if config.algorithms.is_empty()
            || !config.algorithms.iter().all(|a| jwt::SUPPORTED.contains(&a.as_str()))
        {
            return Err(config_error("algorithms", "must be RSA JWS algorithms (RS256 ... PS512)"));
        }
        if config.timeout_secs == 0 {
            return Err(config_error("timeout_secs", "must be at least 1"));
        }
        let peer = builder
            .timeout(Duration::from_secs(config.timeout_secs))
            .max_body(MAX_ANSWER_BYTES)
            .build()
            .map_err(|_| {
                config_error("server_url", "the HTTP client cannot be built with this TLS set-up")
            })?;
        let mut salt = [0_u8; 16];
        ring::rand::SystemRandom::new().fill(&mut salt).map_err(|_| {
            config_error("client_id", "no system randomness for the subject-hash salt")
        })?;
        let connection = oidc::Connection {
            server: config.server_url.trim_end_matches('/').to_owned(),
            peer,
            salt,
        };
        Ok(Self {
            connection: Arc::new(connection),
            realm: config.realm.clone(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            client_auth: config.client_auth,
            audience: config.audience.clone().unwrap_or_else(|| DEFAULT_AUDIENCE.to_owned()),
            authorized_parties,
            algorithms: config.algorithms.clone(),
            leeway: config.leeway_secs,
            jwks_min_refresh: Duration::from_secs(config.jwks_min_refresh_secs),
            discovery: tokio::sync::Mutex::new(None),
            keys: tokio::sync::Mutex::new(ops::KeyCache::default()),
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
            client_auth: self.client_auth,
            audience: self.audience.clone(),
            authorized_parties: self.authorized_parties.clone(),
            algorithms: self.algorithms.clone(),
            leeway: self.leeway,
            jwks_min_refresh: self.jwks_min_refresh,
            discovery: tokio::sync::Mutex::new(None),
            keys: tokio::sync::Mutex::new(ops::KeyCache::default()),
        })
    }

    /// Uses `retry` for calls instead of the default (three attempts, 200 ms doubling,
    /// within each call's `timeout_secs`).
    #[must_use]
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        let mut connection = (*self.connection).clone();
        connection.peer.set_retry_policy(retry);
        self.connection = Arc::new(connection);
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
            "authorized_parties": self.authorized_parties,
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
