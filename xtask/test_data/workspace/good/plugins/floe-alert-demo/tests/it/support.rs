//! Shared helpers of the integration tests.

use floe_otel_testkit::{Capture, expect};

/// Checks the delivery span.
pub(crate) fn assert_sent(capture: &Capture, channel: &str) {
    capture.assert_one(expect::span("alert.send").attr(floe_core::telemetry::attr::ALERT_CHANNEL, channel.to_owned()));
}

/// Checks nothing escaped, through another helper.
pub(crate) fn assert_clean(capture: &Capture) {
    check_escapes(capture);
}

fn check_escapes(capture: &Capture) {
    capture.assert_nothing_escaped();
}
