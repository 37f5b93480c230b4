//! Tracing "tests" with no test function: helpers only, and a function whose attribute
//! is not a test attribute.

use floe_otel_testkit::{Capture, expect};

#[allow(dead_code, reason = "a helper")]
fn send_emits_a_span() {
    let capture = Capture::start();
    capture.assert_one(expect::span("alert.send"));
}

// #[test] in a comment is not a test.
fn check(capture: &Capture) {
    capture.assert_no_secret("x");
}
