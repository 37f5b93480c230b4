//! Shared helpers of the integration tests.

use floe_otel_testkit::{Capture, expect};

/// Checks the delivery span.
pub(crate) fn assert_sent(capture: &Capture, channel: &str) {
    capture.assert_one(expect::span("alert.send").with_attr(floe_core::telemetry::attr::ALERT_CHANNEL, channel));
}

/// Checks nothing escaped, through another helper.
pub(crate) fn assert_clean(capture: &Capture) {
    check_escapes(capture);
}

fn check_escapes(capture: &Capture) {
    capture.assert_nothing_escaped();
}
