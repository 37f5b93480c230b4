//! floe-telemetry-jaeger: excluded from tracing by policy. Its real connection check (TCP
//! connect, then an OTLP export of an empty batch) runs against the loopback OTLP/gRPC
//! receiver its own tests use, and the suite checks it emits no span; the forced failure
//! sends the planted secret as the API key of a receiver that refuses it and echoes it.

use contract_tests::Row;
use floe_core::plugin::categories::TelemetryBackend as _;
use floe_telemetry_jaeger::{JaegerConfig, JaegerTelemetryPlugin};

use super::block_on;

#[path = "../../../../plugins/floe-telemetry-jaeger/tests/it/peer.rs"]
pub(crate) mod peer;

pub(crate) const ROW: Row = Row { package: "floe-telemetry-jaeger", succeed, fail };

/// The plugin exporting over gRPC to `endpoint`, with `api_key` if given.
pub(crate) fn plugin(endpoint: &str, api_key: Option<&str>) -> JaegerTelemetryPlugin {
    let mut config = serde_json::json!({ "endpoint": endpoint, "timeout_ms": 5000 });
    if let Some(key) = api_key {
        config["headers"] = serde_json::json!({ peer::API_KEY_HEADER: key });
    }
    let config: JaegerConfig = serde_json::from_value(config).expect("the row's config decodes");
    JaegerTelemetryPlugin::with_env(config, &|_: &str| None).expect("the row's config is valid")
}

fn succeed() {
    let receiver = peer::OtlpReceiver::start(None);
    block_on(plugin(&receiver.endpoint(), None).validate_connection())
        .expect("the receiver accepts OTLP");
    assert_eq!(receiver.received().len(), 1, "one empty export");
}

fn fail(secret: &str) {
    let receiver = peer::OtlpReceiver::start(Some("the-right-key"));
    let error = block_on(plugin(&receiver.endpoint(), Some(secret)).validate_connection())
        .expect_err("the receiver refuses the key");
    assert!(error.to_string().contains(&receiver.addr().to_string()), "{error}");
    floe_otel_testkit::leak::assert_text_clean("error message", &error.to_string(), secret);
    floe_otel_testkit::leak::assert_text_clean("error debug", &format!("{error:?}"), secret);
}
