//! A `#[should_panic]` tracing test passes whenever anything panics.

mod ops;

use floe_otel_testkit::{Capture, expect};

#[test]
#[should_panic(expected = "alert.send")]
fn a_test_that_expects_its_assertion_to_panic() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    capture.assert_none(expect::span("alert.send"));
}

#[test]
fn a_test_that_asserts() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    capture.assert_one(expect::span("alert.send"));
}

fn plugin() -> floe_alert_demo::DemoPlugin {
    floe_alert_demo::DemoPlugin::for_tests()
}
