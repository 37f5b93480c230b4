//! The connection check against a loopback OTLP/gRPC receiver: a real export of an empty
//! batch, refused API keys, a port that does not speak OTLP, a closed port; and no span of
//! the plugin's own anywhere.

use axum::Router;
use floe_core::plugin::categories::TelemetryBackend as _;
use floe_core::plugin::{HealthStatus, Lifecycle as _, PluginErrorKind};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::http::LoopbackServer;
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};
use floe_telemetry_jaeger::JaegerError;

use crate::peer::{API_KEY_HEADER, OtlpReceiver};
use crate::plugin;

#[tokio::test]
async fn the_check_sends_one_empty_otlp_export_over_grpc() {
    let receiver = OtlpReceiver::start(None);
    let plugin = plugin(&receiver.endpoint(), &[]);

    plugin.validate_connection().await.unwrap();

    let requests = receiver.received();
    assert_eq!(requests.len(), 1, "one export request");
    let spans: usize = requests[0]
        .request
        .resource_spans
        .iter()
        .flat_map(|r| &r.scope_spans)
        .map(|s| s.spans.len())
        .sum();
    assert_eq!(spans, 0, "an empty batch: {:?}", requests[0].request);
    let content_type = requests[0].content_type.as_deref().unwrap_or_default();
    assert!(content_type.starts_with("application/grpc"), "{content_type}");
    assert_eq!(plugin.health_check().await, HealthStatus::Healthy);
}

#[tokio::test]
async fn the_configured_api_key_header_reaches_the_collector() {
    let receiver = OtlpReceiver::start(Some("the-right-key"));
    let plugin = plugin(&receiver.endpoint(), &[(API_KEY_HEADER, "the-right-key")]);

    plugin.validate_connection().await.unwrap();

    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn a_refused_api_key_fails_the_check_without_showing_the_key() {
    let secret = planted_secret();
    let receiver = OtlpReceiver::start(Some("the-right-key"));
    let plugin = plugin(&receiver.endpoint(), &[(API_KEY_HEADER, &secret)]);
    let capture = Capture::start();
    // telemetry backends emit no span of their own (see no_operation_emits_a_span_of_its_own)
    capture.expect_no_spans();

    let error = plugin.validate_connection().await.unwrap_err();

    assert!(matches!(error, JaegerError::Export { .. }), "{error:?}");
    assert_eq!(error.kind(), PluginErrorKind::Rejected);
    let text = error.to_string();
    let prefix = format!("the OTLP export to the collector at {} failed: ", receiver.addr());
    assert!(text.starts_with(&prefix), "{text}");
    assert!(receiver.received().is_empty(), "the receiver accepted nothing");
    let HealthStatus::Unhealthy { reason } = plugin.health_check().await else {
        panic!("a refused export is unhealthy")
    };
    // The receiver echoed the key it got: neither the error, its debug form, the health
    // reason nor anything captured may show it.
    capture.spans().assert_secret_nowhere(&secret, &[&text, &format!("{error:?}"), &reason]);
    assert_text_clean("generated config", &format!("{:?}", plugin.exporter_config()), &secret);
}

#[tokio::test]
async fn a_port_that_does_not_speak_otlp_fails_the_export_step() {
    // An HTTP server that knows no gRPC service: the TCP connect succeeds, the export
    // does not.
    let server = LoopbackServer::start(Router::new());
    let plugin = plugin(&server.url(""), &[]);

    let error = plugin.validate_connection().await.unwrap_err();

    assert!(matches!(error, JaegerError::Export { .. }), "{error:?}");
    assert!(error.to_string().contains(&server.addr().to_string()), "{error}");
}

#[tokio::test]
async fn a_closed_port_is_unreachable_naming_host_and_port() {
    let addr = closed_port();
    let plugin = plugin(&format!("http://{addr}"), &[]);

    let error = plugin.validate_connection().await.unwrap_err();

    assert!(matches!(error, JaegerError::Unreachable { .. }), "{error:?}");
    assert_eq!(error.kind(), PluginErrorKind::Unavailable);
    assert_eq!(error.to_string(), format!("cannot connect to the collector at {addr}"));
    assert!(matches!(plugin.health_check().await, HealthStatus::Unhealthy { .. }));
}

#[tokio::test]
async fn no_operation_emits_a_span_of_its_own() {
    let receiver = OtlpReceiver::start(None);
    let plugin = plugin(&receiver.endpoint(), &[]);
    let capture = Capture::start();
    capture.expect_no_spans();

    plugin.validate_connection().await.unwrap();
    assert_eq!(plugin.health_check().await, HealthStatus::Healthy);
    let _ = (plugin.exporter_config(), plugin.helm_values());
    let closed = crate::plugin(&format!("http://{}", closed_port()), &[]);
    closed.validate_connection().await.unwrap_err();

    let spans = capture.spans();
    assert!(spans.is_empty(), "a telemetry backend emitted spans:\n{}", spans.render());
    capture.assert_none(expect::span("telemetry.validate_connection"));
    capture.assert_nothing_escaped();
}
