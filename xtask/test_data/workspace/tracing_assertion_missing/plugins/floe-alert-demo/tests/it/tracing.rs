//! Tracing tests that look busy and prove nothing, beside one that asserts.

use floe_otel_testkit::{Capture, expect};

#[test]
fn send_only_counts_spans() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    assert_eq!(capture.spans().len(), 1);
}

#[test]
fn send_only_builds_a_capture() {
    let _capture = Capture::start();
    plugin().send("x").unwrap();
}

#[tokio::test]
async fn send_calls_a_helper_that_asserts_nothing() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    check(&capture);
}

#[test]
fn send_calls_a_local_assert_one_that_is_not_the_testkit() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    assert_one(expect::span("alert.send"));
    // capture.assert_one(expect::span("alert.send")) in a comment does not count.
    let _ = "capture.assert_no_secret(PLANTED)";
}

#[test]
fn send_builds_an_expectation_and_never_asserts_it() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    let _expected = expect::span("alert.send");
    drop(capture);
}

#[test]
fn send_really_asserts() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    capture.assert_one(expect::span("alert.send"));
}

fn check(capture: &Capture) {
    let _ = capture.spans();
}

fn assert_one(_expectation: floe_otel_testkit::expect::SpanExpectation) {}

fn plugin() -> floe_alert_demo::DemoPlugin {
    floe_alert_demo::DemoPlugin::for_tests()
}
