//! Failure output shows `tracing` events from INFO up (or the level a test chooses); the
//! secret-leak checks read every level.

use floe_otel_testkit::{Capture, expect, fixtures::planted_secret};

use crate::support::failure_message;

/// A span with a TRACE, a DEBUG (carrying `secret`) and a WARN event, all captured.
fn noisy(capture: &Capture, secret: &str) {
    capture.in_scope(|| {
        tracing::info_span!("sync", otel.name = "stock.sync").in_scope(|| {
            tracing::trace!(target: "hyper::proto", "parsed 12 headers");
            tracing::debug!(token = %secret, "refreshing the supplier token");
            tracing::warn!(supplier = "acme", "supplier slow");
        });
    });
}

#[test]
fn failure_output_hides_events_below_info_and_says_how_many() {
    let secret = planted_secret();
    let capture = Capture::start();
    noisy(&capture, &secret);
    let message = failure_message(|| {
        capture.assert_one(expect::span("stock.sync").error());
    });
    assert!(message.contains("supplier slow"), "{message}");
    assert!(!message.contains("parsed 12 headers"), "a TRACE event in:\n{message}");
    assert!(!message.contains("refreshing the supplier token"), "a DEBUG event in:\n{message}");
    assert!(message.contains("(2 `tracing` events below INFO hidden)"), "{message}");
    assert!(
        message.contains(
            "captured `tracing` events (INFO and above; 2 below INFO hidden, see `Capture::show_events_from`):\n  WARN "
        ),
        "{message}"
    );
}

#[test]
fn a_test_can_show_debug_events() {
    let secret = planted_secret();
    let capture = Capture::start().show_events_from(tracing::Level::DEBUG);
    noisy(&capture, &secret);
    let message = failure_message(|| {
        capture.assert_one(expect::span("stock.sync").error());
    });
    assert!(message.contains("refreshing the supplier token"), "{message}");
    assert!(!message.contains("parsed 12 headers"), "{message}");
    assert!(message.contains("1 below DEBUG hidden"), "{message}");
}

#[test]
fn a_credential_in_a_debug_event_is_a_leak() {
    let secret = planted_secret();
    let capture = Capture::start();
    noisy(&capture, &secret);
    let message = failure_message(|| capture.assert_no_secret(&secret));
    assert!(message.contains("the planted secret leaked"), "{message}");
    // found both on the span event the bridge recorded and in the captured log line
    assert!(
        message.contains("span \"stock.sync\" event \"refreshing the supplier token\""),
        "{message}"
    );
    assert!(message.contains("log line 2"), "{message}");
}
