//! Tests of the Jaeger telemetry backend: its config, the connection check against a
//! loopback OTLP/gRPC receiver (and a port that does not speak OTLP, and a closed one),
//! the HTTP/protobuf transport against a real OTLP receiver (oteltap) that gets the spans
//! of a real compile, and that it emits no span of its own.

mod config;
mod connection;
mod http;
mod peer;

use floe_telemetry_jaeger::{JaegerConfig, JaegerTelemetryPlugin};

/// The plugin exporting to `endpoint` over gRPC, with `headers`, no environment.
fn plugin(endpoint: &str, headers: &[(&str, &str)]) -> JaegerTelemetryPlugin {
    let headers: serde_json::Map<String, serde_json::Value> =
        headers.iter().map(|(k, v)| ((*k).to_owned(), serde_json::json!(v))).collect();
    let config: JaegerConfig = serde_json::from_value(serde_json::json!({
        "endpoint": endpoint,
        "headers": headers,
        "timeout_ms": 5000,
    }))
    .expect("the test config decodes");
    JaegerTelemetryPlugin::with_env(config, &|_: &str| None).expect("the test config is valid")
}
