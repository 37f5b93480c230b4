//! A delivery test outside tests/it/tracing.rs: it does not count for operation coverage.

use floe_alert_demo::DemoPlugin;
use floe_alert_demo::telemetry::TRACER_NAME;
use floe_core::telemetry::attr;
use floe_otel_testkit::{Capture, expect};

#[test]
fn a_delivered_alert_is_an_ok_send_span() {
    let capture = Capture::start();
    DemoPlugin::answering(202).send("disk full").unwrap();
    capture.assert_one(expect::span("alert.send").scope(TRACER_NAME).attr(attr::ALERT_DELIVERY_STATUS, "delivered").ok().attr(attr::ALERT_CHANNEL, "#ops"));
}
