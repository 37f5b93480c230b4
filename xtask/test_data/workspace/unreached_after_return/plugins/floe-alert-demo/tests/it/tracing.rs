//! An assertion after `return` (or a panic) never runs.

mod ops;

use floe_otel_testkit::{Capture, expect};

#[test]
fn the_assertion_is_after_return() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    return;
    capture.assert_one(expect::span("alert.send"));
}

#[test]
fn the_assertion_is_after_a_panic() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    unreachable!("the plugin sent");
    capture.assert_one(expect::span("alert.send"));
}

#[test]
fn the_assertion_is_before_return() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    capture.assert_one(expect::span("alert.send"));
    return;
}

fn plugin() -> floe_alert_demo::DemoPlugin {
    floe_alert_demo::DemoPlugin::for_tests()
}
