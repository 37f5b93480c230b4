//! The e-mail plugin's typed config.

use floe_core::secret::Secret;
use serde::Deserialize;

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
    /// No encryption: only to a loopback relay, or with `allow_insecure_smtp`.
    None,
}

impl TlsMode {
    /// The usual port of the mode.
    pub const fn default_port(self) -> u16 {
        match self {
            Self::Starttls => 587,
            Self::Tls => 465,
            Self::None => 25,
        }
    }
}

/// `alert_channel: { type: email, config: ... }`. Its `Debug` shows no address and no
/// password: addresses are personal data, and `Debug` output ends up in logs.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// The SMTP server's host name or address.
    pub host: String,
    /// The port; the mode's usual port when absent.
    #[serde(default)]
    pub port: Option<u16>,
    /// How the connection is secured.
    #[serde(default)]
    pub tls: TlsMode,
    /// A PEM file with the root certificate of a private CA the server's certificate chains
    /// to (in addition to the public roots).
    #[serde(default)]
    pub ca_certificate: Option<String>,
    /// The sender (`Floe Alerts <alerts@example.com>`).
    pub from: String,
    /// The recipients.
    pub to: Vec<String>,
    /// Copy recipients.
    #[serde(default)]
    pub cc: Vec<String>,
    /// The SMTP user, when the server requires authentication.
    #[serde(default)]
    pub username: Option<String>,
    /// The SMTP password.
    #[serde(default)]
    pub password: Option<Secret<String>>,
    /// Seconds before the SMTP conversation is abandoned.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Attempts in all when the server refuses the connection or answers a transient (4xx)
    /// reply.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Allows `tls: none` to a host that is not loopback (a trusted relay only).
    #[serde(default)]
    pub allow_insecure_smtp: bool,
}

const fn default_timeout_secs() -> u64 {
    30
}

const fn default_max_attempts() -> u32 {
    3
}

impl std::fmt::Debug for EmailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailConfig")
            .field("host", &self.host)
            .field("port", &self.port())
            .field("tls", &self.tls)
            .field("ca_certificate", &self.ca_certificate)
            .field("to", &format_args!("<{} addresses>", self.to.len()))
            .field("cc", &format_args!("<{} addresses>", self.cc.len()))
            .field("authenticates", &self.username.is_some())
            .field("timeout_secs", &self.timeout_secs)
            .field("max_attempts", &self.max_attempts)
            .field("allow_insecure_smtp", &self.allow_insecure_smtp)
            .finish_non_exhaustive()
    }
}

impl EmailConfig {
    /// A config sending from `from` to `to` through `host`, with STARTTLS and every other
    /// setting at its default.
    pub fn new(host: impl Into<String>, from: impl Into<String>, to: &[&str]) -> Self {
        Self {
            host: host.into(),
            port: None,
            tls: TlsMode::default(),
            ca_certificate: None,
            from: from.into(),
            to: to.iter().map(|&t| t.to_owned()).collect(),
            cc: Vec::new(),
            username: None,
            password: None,
            timeout_secs: default_timeout_secs(),
            max_attempts: default_max_attempts(),
            allow_insecure_smtp: false,
        }
    }

    /// The port in use.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(self.tls.default_port())
    }
}

/// The JSON schema of the config.
pub(crate) fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["host", "from", "to"],
        "properties": {
            "host": { "type": "string" },
            "port": { "type": "integer", "minimum": 1, "maximum": 65535 },
            "tls": { "enum": ["starttls", "tls", "none"], "default": "starttls" },
            "ca_certificate": { "type": "string", "description": "PEM file of a private root CA" },
            "from": { "type": "string" },
            "to": { "type": "array", "items": { "type": "string" }, "minItems": 1 },
            "cc": { "type": "array", "items": { "type": "string" } },
            "username": { "type": "string" },
            "password": { "type": "string", "description": "secret" },
            "timeout_secs": { "type": "integer", "minimum": 1, "maximum": 300, "default": 30 },
            "max_attempts": { "type": "integer", "minimum": 1, "maximum": 10, "default": 3 },
            "allow_insecure_smtp": { "type": "boolean", "default": false }
        }
    })
}
