//! Configuration of the Infisical secrets plugin.

use floe_core::secret::Secret;
use serde::Deserialize;

/// Infisical Cloud (US region).
pub const DEFAULT_SITE_URL: &str = "https://app.infisical.com";

/// `plugins.secrets.config` for `type: infisical`: a machine identity with Universal Auth,
/// and where its secrets live. `site_url` is `https`, plain `http` to this machine, or
/// plain `http` elsewhere only with `allow_insecure_http`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfisicalConfig {
    /// The Infisical instance (default: Infisical Cloud).
    #[serde(default = "default_site_url")]
    pub site_url: String,
    /// The machine identity's Universal Auth client id.
    pub client_id: String,
    /// The machine identity's Universal Auth client secret.
    pub client_secret: Secret<String>,
    /// The project (workspace) id.
    pub project_id: String,
    /// The environment slug (`dev`, `prod`).
    pub environment: String,
    /// The folder keys are relative to (default `/`).
    #[serde(default = "default_secret_path")]
    pub secret_path: String,
    /// The Kubernetes Secret the Infisical operator syncs this path into; needed for pod
    /// env specs.
    #[serde(default)]
    pub managed_secret_name: Option<String>,
    /// Seconds a call may take, retries included.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Allow plain `http` to an instance that is not on this machine (the client secret,
    /// tokens and secret values then cross the network in clear; only for a trusted
    /// network).
    #[serde(default)]
    pub allow_insecure_http: bool,
}

fn default_site_url() -> String {
    DEFAULT_SITE_URL.to_owned()
}

fn default_secret_path() -> String {
    "/".to_owned()
}

const fn default_timeout_secs() -> u64 {
    10
}

/// The JSON schema of [`InfisicalConfig`].
pub fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["client_id", "client_secret", "project_id", "environment"],
        "properties": {
            "site_url": { "type": "string", "format": "uri", "default": DEFAULT_SITE_URL },
            "client_id": { "type": "string" },
            "client_secret": { "type": "string", "writeOnly": true },
            "project_id": { "type": "string" },
            "environment": { "type": "string" },
            "secret_path": { "type": "string", "default": "/" },
            "managed_secret_name": { "type": "string" },
            "timeout_secs": { "type": "integer", "minimum": 1, "default": 10 },
            "allow_insecure_http": { "type": "boolean", "default": false }
        }
    })
}
