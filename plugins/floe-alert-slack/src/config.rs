//! The Slack plugin's typed config.

use floe_core::secret::Secret;
use serde::Deserialize;

/// `alert_channel: { type: slack, config: ... }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    /// The incoming-webhook URL. A secret: its path is the credential.
    pub webhook_url: Secret<String>,
    /// The channel the webhook posts to (`#data-alerts`): shown on spans as the
    /// destination, and sent as `channel` (honoured by legacy webhooks only).
    #[serde(default)]
    pub channel: Option<String>,
    /// The name the message is posted under (legacy webhooks only).
    #[serde(default)]
    pub username: Option<String>,
    /// Seconds before a request is abandoned.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Attempts in all when Slack answers 429/503 or refuses the connection.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Allows plain `http` to hosts other than loopback (never needed for Slack itself).
    #[serde(default)]
    pub allow_insecure_http: bool,
}

const fn default_timeout_secs() -> u64 {
    10
}

const fn default_max_attempts() -> u32 {
    3
}

impl SlackConfig {
    /// A config for `webhook_url` with every other setting at its default.
    pub fn new(webhook_url: impl Into<String>) -> Self {
        Self {
            webhook_url: Secret::new(webhook_url.into()),
            channel: None,
            username: None,
            timeout_secs: default_timeout_secs(),
            max_attempts: default_max_attempts(),
            allow_insecure_http: false,
        }
    }

    /// Names the channel.
    #[must_use]
    pub fn with_channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = Some(channel.into());
        self
    }
}

/// The JSON schema of the config.
pub(crate) fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["webhook_url"],
        "properties": {
            "webhook_url": { "type": "string", "description": "incoming-webhook URL (secret)" },
            "channel": { "type": "string" },
            "username": { "type": "string" },
            "timeout_secs": { "type": "integer", "minimum": 1, "maximum": 300, "default": 10 },
            "max_attempts": { "type": "integer", "minimum": 1, "maximum": 10, "default": 3 },
            "allow_insecure_http": { "type": "boolean", "default": false }
        }
    })
}
