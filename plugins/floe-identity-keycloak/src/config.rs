//! Configuration of the Keycloak identity plugin.

use floe_core::secret::Secret;
use serde::Deserialize;

/// `plugins.identity.config` for `type: keycloak`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeycloakConfig {
    /// The Keycloak base URL (`https://sso.example.com`, no `/realms/...`).
    pub server_url: String,
    /// The realm.
    pub realm: String,
    /// The OAuth2 client.
    pub client_id: String,
    /// The client secret of a confidential client (sent with `client_secret_post`).
    #[serde(default)]
    pub client_secret: Option<Secret<String>>,
    /// The audience a validated token must carry (default: `client_id`).
    #[serde(default)]
    pub audience: Option<String>,
    /// JWS algorithms accepted (default `RS256`); only RSA algorithms can be chosen.
    #[serde(default = "default_algorithms")]
    pub algorithms: Vec<String>,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    #[serde(default = "default_leeway_secs")]
    pub leeway_secs: u64,
    /// Seconds before a call times out.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
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
            "audience": { "type": "string" },
            "algorithms": {
                "type": "array",
                "items": { "enum": ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] },
                "default": ["RS256"]
            },
            "leeway_secs": { "type": "integer", "minimum": 0, "default": 30 },
            "timeout_secs": { "type": "integer", "minimum": 1, "default": 10 }
        }
    })
}
