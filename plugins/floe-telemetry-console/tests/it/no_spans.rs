//! Telemetry backends are excluded from tracing by policy: every operation of the plugin
//! runs inside a capture and leaves it empty.

use floe_core::plugin::categories::TelemetryBackend as _;
use floe_core::plugin::{HealthStatus, Lifecycle as _, Plugin as _};
use floe_core::telemetry::ConsoleTarget;
use floe_otel_testkit::{Capture, expect};
use floe_telemetry_console::{ConsoleConfig, ConsoleTelemetryPlugin};

#[tokio::test]
async fn no_operation_emits_a_span_of_its_own() {
    let capture = Capture::start();
    capture.expect_no_spans();
    for target in [ConsoleTarget::Stderr, ConsoleTarget::Stdout] {
        let plugin = ConsoleTelemetryPlugin::new(ConsoleConfig { target });

        plugin.validate_connection().await.unwrap();
        assert_eq!(plugin.health_check().await, HealthStatus::Healthy);
        let _ = (plugin.exporter_config(), plugin.helm_values(), plugin.generated_config());
    }

    let spans = capture.spans();
    assert!(spans.is_empty(), "a telemetry backend emitted spans:\n{}", spans.render());
    capture.assert_none(expect::span("telemetry.validate_connection"));
    capture.assert_nothing_escaped();
}
