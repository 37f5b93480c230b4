//! Tracing tests of the demo alert plugin: every form of assertion the audit accepts
//! here, every operation and failure mode in `tracing/ops.rs`.

mod ops;

use floe_core::telemetry::attr::ALERT_CHANNEL;
use floe_otel_testkit::{Capture, assert_span_tree, expect, leak};

use crate::support;

const PLANTED: &str = "FLOETEST-planted";

#[test]
fn send_emits_one_span_with_the_channel() {
    let capture = Capture::start();
    plugin().send("disk full").unwrap();
    capture.assert_one(expect::span("alert.send").attr(ALERT_CHANNEL, "#ops"));
}

#[tokio::test(flavor = "multi_thread")]
async fn send_asserts_through_a_helper_of_another_file() {
    let capture = Capture::start();
    plugin().send("disk full").unwrap();
    support::assert_sent(&capture, "#ops");
}

#[test]
fn send_asserts_through_a_local_helper() {
    let capture = Capture::start();
    plugin().send("disk full").unwrap();
    check_no_secret(&capture);
}

#[test]
fn send_asserts_through_a_helper_chain() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    support::assert_clean(&capture);
}

#[test]
fn failure_message_is_clean() {
    let err = plugin().send(PLANTED).unwrap_err();
    leak::assert_text_clean("error", &err.to_string(), PLANTED);
}

#[test]
fn send_matches_the_snapshot() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    assert_span_tree!("alert_demo_send", capture.spans());
}

#[test]
fn a_local_macro_asserts() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    sent!(capture);
}

#[test]
fn an_assertion_inside_a_macro_counts() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    let span = capture.spans().assert_some(expect::span("alert.send"));
    assert!(span.name == "alert.send", "{:?}", capture.assert_conforms());
}

proptest::proptest! {
    #[test]
    fn no_generated_secret_leaks(secret in floe_otel_testkit::strategy::credential()) {
        let capture = Capture::start();
        let _ = plugin().send(&secret);
        capture.assert_no_secret(&secret);
    }
}

macro_rules! sent {
    ($capture:expr) => {
        $capture.assert_count(expect::span("alert.send"), 1)
    };
}
use sent;

fn check_no_secret(capture: &Capture) {
    capture.assert_no_secret(PLANTED);
}

fn plugin() -> floe_alert_demo::DemoPlugin {
    floe_alert_demo::DemoPlugin::for_tests()
}
