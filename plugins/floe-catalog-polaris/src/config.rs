//! Configuration of the Polaris plugin.

use floe_core::secret::Secret;
use serde::Deserialize;

/// The scope Polaris grants every principal role with.
pub const DEFAULT_SCOPE: &str = "PRINCIPAL_ROLE:ALL";

/// `plugins.catalog.config` for `type: polaris`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolarisConfig {
    /// The Iceberg REST endpoint of Polaris (`https://polaris.example.com/api/catalog`);
    /// no user info: credentials are the client's. `https`, or plain `http` to this
    /// machine, unless `allow_insecure_http`.
    pub uri: String,
    /// The Polaris catalog to use (the REST `warehouse`).
    pub warehouse: String,
    /// The principal's client id.
    pub client_id: String,
    /// The principal's client secret.
    pub client_secret: Secret<String>,
    /// The token scope.
    #[serde(default = "default_scope")]
    pub scope: String,
    /// The token endpoint (default `{uri}/v1/oauth/tokens`); the same transport rule as
    /// `uri`.
    #[serde(default)]
    pub token_url: Option<String>,
    /// Lets the client secret and the tokens go over plain `http` to another machine
    /// (a trusted network); without it `uri` and `token_url` must be `https` or loopback.
    #[serde(default)]
    pub allow_insecure_http: bool,
    /// Ask for storage credentials on table loads (`X-Iceberg-Access-Delegation:
    /// vended-credentials`).
    #[serde(default = "default_true")]
    pub credential_vending: bool,
    /// Seconds before a call times out, connection included.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_scope() -> String {
    DEFAULT_SCOPE.to_owned()
}

const fn default_true() -> bool {
    true
}

const fn default_timeout_secs() -> u64 {
    30
}

/// The JSON schema of [`PolarisConfig`].
pub fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["uri", "warehouse", "client_id", "client_secret"],
        "properties": {
            "uri": { "type": "string", "format": "uri" },
            "warehouse": { "type": "string" },
            "client_id": { "type": "string" },
            "client_secret": { "type": "string", "writeOnly": true },
            "scope": { "type": "string", "default": DEFAULT_SCOPE },
            "token_url": { "type": "string", "format": "uri" },
            "allow_insecure_http": { "type": "boolean", "default": false },
            "credential_vending": { "type": "boolean", "default": true },
            "timeout_secs": { "type": "integer", "minimum": 1, "default": 30 }
        }
    })
}
