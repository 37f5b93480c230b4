//! The Marquez plugin's typed config.

use floe_core::secret::Secret;
use serde::Deserialize;

/// How job namespaces are named when an event does not name its own.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "strategy", rename_all = "snake_case", deny_unknown_fields)]
pub enum NamespaceStrategy {
    /// One namespace for every job.
    Simple {
        /// The namespace.
        namespace: String,
    },
    /// One namespace per deployment: `<environment>.<platform>`.
    Centralized {
        /// `dev`, `prod`, ...
        environment: String,
        /// The platform's name.
        platform: String,
    },
    /// One namespace per data product: `<domain>.<product>`.
    DataMesh {
        /// The business domain.
        domain: String,
        /// The data product.
        product: String,
    },
}

impl Default for NamespaceStrategy {
    fn default() -> Self {
        Self::Simple { namespace: "floe".to_owned() }
    }
}

impl NamespaceStrategy {
    /// The namespace this strategy names.
    pub fn namespace(&self) -> String {
        match self {
            Self::Simple { namespace } => namespace.clone(),
            Self::Centralized { environment, platform } => format!("{environment}.{platform}"),
            Self::DataMesh { domain, product } => format!("{domain}.{product}"),
        }
    }
}

/// `lineage_backend: { type: marquez, config: ... }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarquezConfig {
    /// The Marquez base URL; events go to `{url}/api/v1/lineage`. `https`, or plain `http`
    /// to loopback or with `allow_insecure_http`; no user info and no query (the transport
    /// config publishes the URL: credentials go in `api_key`). Held as a secret so that a
    /// refused URL that carries a credential is never printed.
    pub url: Secret<String>,
    /// The API key, sent as `Authorization: Bearer <key>`.
    #[serde(default)]
    pub api_key: Option<Secret<String>>,
    /// The name of the secret other emitters read the API key from: the transport config
    /// holds `${secret:<this>}`, never the key.
    #[serde(default = "default_api_key_secret")]
    pub api_key_secret: String,
    /// How job namespaces are named.
    #[serde(default)]
    pub namespace: NamespaceStrategy,
    /// The `producer` URI of every event and of facets that name none.
    #[serde(default = "default_producer")]
    pub producer: String,
    /// Seconds before a request is abandoned.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Attempts in all when Marquez answers 429/503 or refuses the connection.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Allows plain `http` to hosts other than loopback (a trusted network only).
    #[serde(default)]
    pub allow_insecure_http: bool,
}

fn default_api_key_secret() -> String {
    "lineage_api_key".to_owned()
}

/// floe's producer URI (a URN: it names the emitter and its version, and claims no web
/// address).
pub const DEFAULT_PRODUCER: &str =
    concat!("urn:floe:", env!("CARGO_PKG_NAME"), ":", env!("CARGO_PKG_VERSION"));

fn default_producer() -> String {
    DEFAULT_PRODUCER.to_owned()
}

const fn default_timeout_secs() -> u64 {
    10
}

const fn default_max_attempts() -> u32 {
    3
}

impl MarquezConfig {
    /// A config for the Marquez at `url` with every other setting at its default.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: Secret::new(url.into()),
            api_key: None,
            api_key_secret: default_api_key_secret(),
            namespace: NamespaceStrategy::default(),
            producer: default_producer(),
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
            "url": { "type": "string", "description": "Marquez base URL: https, or http to loopback or with allow_insecure_http; no user info, no query" },
            "api_key": { "type": "string", "description": "bearer API key (secret)" },
            "api_key_secret": { "type": "string", "default": "lineage_api_key" },
            "namespace": {
                "oneOf": [
                    { "type": "object", "additionalProperties": false, "required": ["strategy", "namespace"],
                      "properties": { "strategy": { "const": "simple" }, "namespace": { "type": "string" } } },
                    { "type": "object", "additionalProperties": false, "required": ["strategy", "environment", "platform"],
                      "properties": { "strategy": { "const": "centralized" }, "environment": { "type": "string" }, "platform": { "type": "string" } } },
                    { "type": "object", "additionalProperties": false, "required": ["strategy", "domain", "product"],
                      "properties": { "strategy": { "const": "data_mesh" }, "domain": { "type": "string" }, "product": { "type": "string" } } }
                ]
            },
            "producer": { "type": "string", "format": "uri" },
            "timeout_secs": { "type": "integer", "minimum": 1, "maximum": 300, "default": 10 },
            "max_attempts": { "type": "integer", "minimum": 1, "maximum": 10, "default": 3 },
            "allow_insecure_http": { "type": "boolean", "default": false }
        }
    })
}
