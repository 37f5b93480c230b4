//! The webhook plugin's typed config.

use floe_core::secret::Secret;
use serde::Deserialize;

/// The `type` of every event this plugin sends.
pub const EVENT_TYPE: &str = "com.floe.contract.violation";

/// `alert_channel: { type: webhook, config: ... }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Where events are sent with `POST`. A secret: webhook URLs often carry their token
    /// in the path or query. `https`, or plain `http` to loopback or with
    /// `allow_insecure_http`; no user info.
    pub url: Secret<String>,
    /// When set, every delivery carries `x-floe-signature-timestamp: <unix seconds>` and
    /// `x-floe-signature-256: sha256=<hex>`, the HMAC-SHA256 under this secret of
    /// `<timestamp>.<body>` (see [`crate::event`]).
    #[serde(default)]
    pub signing_secret: Option<Secret<String>>,
    /// The CloudEvents `source` (a URI reference naming this platform).
    #[serde(default = "default_source")]
    pub source: String,
    /// Seconds before a request is abandoned.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Attempts in all when the receiver answers 429/503 or refuses the connection.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Allows plain `http` to hosts other than loopback (a trusted network only).
    #[serde(default)]
    pub allow_insecure_http: bool,
}

fn default_source() -> String {
    "/floe/contracts".to_owned()
}

pub(crate) const fn default_timeout_secs() -> u64 {
    10
}

pub(crate) const fn default_max_attempts() -> u32 {
    3
}

impl WebhookConfig {
    /// A config for `url` with every other setting at its default.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: Secret::new(url.into()),
            signing_secret: None,
            source: default_source(),
            timeout_secs: default_timeout_secs(),
            max_attempts: default_max_attempts(),
            allow_insecure_http: false,
        }
    }

    /// Signs deliveries with `secret`.
    #[must_use]
    pub fn with_signing_secret(mut self, secret: impl Into<String>) -> Self {
        self.signing_secret = Some(Secret::new(secret.into()));
        self
    }
}

/// The JSON schema of the config, for `floe plugins` and manifest checks.
pub(crate) fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["url"],
        "properties": {
            "url": { "type": "string", "description": "receiver URL (secret)" },
            "signing_secret": { "type": "string", "description": "HMAC-SHA256 key (secret); signs <timestamp>.<body>" },
            "source": { "type": "string", "default": "/floe/contracts" },
            "timeout_secs": { "type": "integer", "minimum": 1, "maximum": 300, "default": 10 },
            "max_attempts": { "type": "integer", "minimum": 1, "maximum": 10, "default": 3 },
            "allow_insecure_http": { "type": "boolean", "default": false }
        }
    })
}
