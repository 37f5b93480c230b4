//! An assertion in a nested function counts only when the test calls the function.

mod ops;

use floe_otel_testkit::{Capture, expect};

#[test]
fn the_assertion_is_in_a_function_never_called() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    fn check(capture: &Capture) {
        capture.assert_one(expect::span("alert.send"));
    }
}

#[test]
fn the_assertion_is_in_a_function_the_test_calls() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    fn check(capture: &Capture) {
        capture.assert_one(expect::span("alert.send"));
    }
    check(&capture);
}

fn plugin() -> floe_alert_demo::DemoPlugin {
    floe_alert_demo::DemoPlugin::for_tests()
}
