//! A delivered alert is asserted only by absence assertions and expect_no_spans.

use floe_alert_demo::telemetry::{AlertOp, TRACER_NAME};
use floe_alert_demo::{DemoError, DemoPlugin};
use floe_core::telemetry::attr;
use floe_otel_testkit::expect::SpanExpectation;
use floe_otel_testkit::{Capture, expect};

/// The `alert.send` span of a delivery that ended with `status`.
fn send_span(status: &str) -> SpanExpectation {
    expect::span("alert.send").scope(TRACER_NAME).attr(attr::ALERT_DELIVERY_STATUS, status.to_owned())
}

#[test]
fn a_delivered_alert_is_an_ok_send_span() {
    let capture = Capture::start();
    DemoPlugin::answering(202).send("disk full").unwrap();
    capture.assert_none(send_span("delivered").error());
    capture.assert_count(send_span("delivered").ok(), 0);
    capture.assert_no_secret("#ops");
}

#[test]
fn a_rejected_alert_is_an_error_send_span_naming_the_status() {
    let capture = Capture::start();
    let error = DemoPlugin::answering(422).send("disk full").unwrap_err();
    assert!(matches!(error, DemoError::Rejected { status: 422 }), "{error}");
    capture.assert_one(send_span("rejected").error());
}

#[test]
fn an_unreachable_receiver_is_a_failed_send_span() {
    let capture = Capture::start();
    DemoPlugin::answering(0).send("disk full").unwrap_err();
    for (status, text) in [("failed", "cannot reach the receiver at 127.0.0.1:1")] {
        capture.assert_one(send_span(status).error_containing(text));
    }
}

#[test]
fn the_configuration_check_is_ok_or_an_error_naming_the_key() {
    let capture = Capture::start();
    DemoPlugin::answering(202).validate_config().unwrap();
    DemoPlugin::without_channel().validate_config().unwrap_err();
    let validate = expect::span(AlertOp::ValidateConfig.span_name());
    capture.assert_one(validate.clone().ok());
    capture.assert_one(validate.error_containing(format!("invalid configuration: {}", "channel")));
}

#[test]
fn the_health_check_floe_core_traces_is_ok_or_unhealthy() {
    let capture = Capture::start();
    DemoPlugin::answering(202).health_check();
    DemoPlugin::answering(0).health_check();
    let health = expect::span("alert.health_check").scope(TRACER_NAME);
    capture.assert_tree(expect::tree(health.clone().ok()));
    capture.assert_one(health.error().exception("unhealthy"));
}

#[test]
fn a_capture_declared_empty_asserts_no_operation() {
    let capture = Capture::start();
    capture.expect_no_spans();
    capture.assert_nothing_escaped();
}
