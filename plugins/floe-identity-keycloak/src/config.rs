//! Configuration of the Keycloak identity plugin.

use floe_core::secret::Secret;
use serde::Deserialize;

/// `plugins.identity.config` for `type: keycloak`.
///
/// The client secret and users' passwords go only to a `server_url` that is `https`,
/// plain `http` to this machine, or plain `http` elsewhere with `allow_insecure_http`;
/// the endpoints the realm's discovery document announces must be on that same origin.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeycloakConfig {
    /// The Keycloak base URL (`https://sso.example.com`, no `/realms/...`).
    pub server_url: String,
    /// The realm.
    pub realm: String,
    /// The OAuth2 client.
    pub client_id: String,
    /// The client secret of a confidential client.
    #[serde(default)]
    pub client_secret: Option<Secret<String>>,
    /// How the client secret is sent to the token endpoint (default
    /// `client_secret_basic`, the method every OAuth2 server must support).
    #[serde(default)]
    pub client_auth: ClientAuth,
    /// The audience a validated token must carry (default `account`, the audience
    /// Keycloak gives its access tokens).
    #[serde(default)]
    pub audience: Option<String>,
    /// The clients a validated token may have been issued to, by its `azp` (default:
    /// `client_id` alone). Keycloak names the client in `azp`; its `aud` is the same for
    /// every client of the realm.
    #[serde(default)]
    pub authorized_parties: Option<Vec<String>>,
    /// JWS algorithms accepted (default `RS256`); only RSA algorithms can be chosen.
    #[serde(default = "default_algorithms")]
    pub algorithms: Vec<String>,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    #[serde(default = "default_leeway_secs")]
    pub leeway_secs: u64,
    /// Seconds one call may take, retries and reading the answer included.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// The least time between two fetches of the key set, in seconds: a token naming a
    /// key the cached set does not have fetches it again only once this has passed since
    /// the last fetch (as Keycloak's adapters' `min-time-between-jwks-requests`).
    #[serde(default = "default_jwks_min_refresh_secs")]
    pub jwks_min_refresh_secs: u64,
    /// Allow plain `http` to a Keycloak that is not on this machine (the client secret,
    /// passwords and tokens then cross the network in clear; only for a trusted network).
    #[serde(default)]
    pub allow_insecure_http: bool,
}

/// How the client authenticates to the token endpoint (RFC 6749 section 2.3.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// HTTP Basic with the form-encoded client id and secret.
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
}

fn default_algorithms() -> Vec<String> {
    vec!["RS256".to_owned()]
}

const fn default_leeway_secs() -> u64 {
    30
}

const fn default_timeout_secs() -> u64 {
    10
}

const fn default_jwks_min_refresh_secs() -> u64 {
    10
}

/// The JSON schema of [`KeycloakConfig`].
pub fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["server_url", "realm", "client_id"],
        "properties": {
            "server_url": { "type": "string", "format": "uri" },
            "realm": { "type": "string" },
            "client_id": { "type": "string" },
            "client_secret": { "type": "string", "writeOnly": true },
            "client_auth": {
                "enum": ["client_secret_basic", "client_secret_post"],
                "default": "client_secret_basic"
            },
            "audience": { "type": "string", "default": "account" },
            "authorized_parties": { "type": "array", "items": { "type": "string" } },
            "algorithms": {
                "type": "array",
                "items": { "enum": ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] },
                "default": ["RS256"]
            },
            "leeway_secs": { "type": "integer", "minimum": 0, "default": 30 },
            "timeout_secs": { "type": "integer", "minimum": 1, "default": 10 },
            "jwks_min_refresh_secs": { "type": "integer", "minimum": 0, "default": 10 },
            "allow_insecure_http": { "type": "boolean", "default": false }
        }
    })
}
