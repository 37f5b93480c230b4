//! An assertion in a closure counts only when the closure is called or handed on.

mod ops;

use floe_otel_testkit::{Capture, expect};

#[test]
fn the_assertion_is_in_a_closure_never_called() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    let check = || capture.assert_one(expect::span("alert.send"));
    let _ = check;
}

#[test]
fn the_assertion_is_in_a_closure_the_test_calls() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    let check = || capture.assert_one(expect::span("alert.send"));
    check();
}

#[test]
fn the_assertion_is_in_a_closure_handed_to_a_helper_that_drops_it() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    ignore(|| capture.assert_one(expect::span("alert.send")));
}

#[test]
fn the_assertion_is_in_a_closure_handed_to_a_helper_that_calls_it() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    run(|| capture.assert_one(expect::span("alert.send")));
}

fn ignore(_check: impl FnOnce()) {}

fn run(check: impl FnOnce()) {
    check();
}

fn plugin() -> floe_alert_demo::DemoPlugin {
    floe_alert_demo::DemoPlugin::for_tests()
}
