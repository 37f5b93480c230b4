//! The Alertmanager plugin's typed config.

use std::collections::BTreeMap;

use floe_core::secret::Secret;
use serde::Deserialize;

/// `alert_channel: { type: alertmanager, config: ... }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertmanagerConfig {
    /// The Alertmanager base URL (`https://alertmanager.example.com`); alerts go to
    /// `{url}/api/v2/alerts`. `https`, plain `http` to loopback, or plain `http` with
    /// `allow_insecure_http`; no user info (credentials go in `bearer_token` or
    /// `basic_auth`) and no query. Kept as a secret all the same: only its `host:port`
    /// is ever shown.
    pub url: Secret<String>,
    /// The `alertname` label.
    #[serde(default = "default_alertname")]
    pub alertname: String,
    /// Labels added to every alert (`team: data`). Alertmanager decides which label names
    /// are valid (UTF-8 names are allowed from 0.28 on), so a bad name comes back as a
    /// rejected delivery.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The base of each alert's `generatorURL`; the contract name is appended.
    #[serde(default)]
    pub generator_url: Option<String>,
    /// A bearer token for an Alertmanager behind an authenticating proxy.
    #[serde(default)]
    pub bearer_token: Option<Secret<String>>,
    /// Basic auth for an Alertmanager behind an authenticating proxy.
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// Seconds a delivery or health check may take in all, retries included.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Attempts in all when Alertmanager answers 429/503 or refuses the connection.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Allows plain `http` to hosts other than loopback (an in-cluster Alertmanager).
    #[serde(default)]
    pub allow_insecure_http: bool,
}

/// Basic-auth credentials.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// The user name.
    pub username: String,
    /// The password.
    pub password: Secret<String>,
}

fn default_alertname() -> String {
    "FloeContractViolation".to_owned()
}

const fn default_timeout_secs() -> u64 {
    10
}

const fn default_max_attempts() -> u32 {
    3
}

impl AlertmanagerConfig {
    /// A config for the Alertmanager at `url` with every other setting at its default.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: Secret::new(url.into()),
            alertname: default_alertname(),
            labels: BTreeMap::new(),
            generator_url: None,
            bearer_token: None,
            basic_auth: None,
            timeout_secs: default_timeout_secs(),
            max_attempts: default_max_attempts(),
            allow_insecure_http: false,
        }
    }
}

/// The JSON schema of the config.
pub(crate) fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["url"],
        "properties": {
            "url": { "type": "string", "description": "Alertmanager base URL: https, or http to loopback or with allow_insecure_http; no user info or query" },
            "alertname": { "type": "string", "default": "FloeContractViolation" },
            "labels": { "type": "object", "additionalProperties": { "type": "string" } },
            "generator_url": { "type": "string", "format": "uri" },
            "bearer_token": { "type": "string", "description": "secret" },
            "basic_auth": {
                "type": "object",
                "additionalProperties": false,
                "required": ["username", "password"],
                "properties": {
                    "username": { "type": "string" },
                    "password": { "type": "string", "description": "secret" }
                }
            },
            "timeout_secs": { "type": "integer", "minimum": 1, "maximum": 300, "default": 10 },
            "max_attempts": { "type": "integer", "minimum": 1, "maximum": 10, "default": 3 },
            "allow_insecure_http": { "type": "boolean", "default": false }
        }
    })
}
