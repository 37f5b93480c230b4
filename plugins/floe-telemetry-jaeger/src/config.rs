//! Configuration of the Jaeger telemetry backend.

use std::collections::BTreeMap;

use floe_core::secret::Secret;
use floe_core::telemetry::OtlpProtocol;
use serde::Deserialize;

/// `plugins.telemetry_backend.config` for `type: jaeger`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JaegerConfig {
    /// The collector's OTLP endpoint (`http://jaeger-collector.observability:4317`).
    /// Default: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`,
    /// else the protocol's conventional port on loopback.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// `grpc` (default, port 4317) or `http/protobuf` (port 4318).
    #[serde(default)]
    pub protocol: OtlpProtocol,
    /// Allow plain text to a collector that is not on loopback.
    #[serde(default)]
    pub insecure: bool,
    /// Request headers (an API key in front of the collector); values are secrets.
    #[serde(default)]
    pub headers: BTreeMap<String, Secret<String>>,
    /// Milliseconds before an export or the connection check times out.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

const fn default_timeout_ms() -> u64 {
    10_000
}

/// The JSON schema of [`JaegerConfig`].
pub fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "endpoint": { "type": "string", "format": "uri" },
            "protocol": { "type": "string", "enum": ["grpc", "http/protobuf"], "default": "grpc" },
            "insecure": { "type": "boolean", "default": false },
            "headers": {
                "type": "object",
                "additionalProperties": { "type": "string", "writeOnly": true }
            },
            "timeout_ms": { "type": "integer", "minimum": 1, "default": 10000 }
        }
    })
}
