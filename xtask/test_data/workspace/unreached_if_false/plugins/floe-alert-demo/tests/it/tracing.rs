//! An assertion in a branch whose condition is the literal false never runs.

mod ops;

use floe_otel_testkit::{Capture, expect};

#[test]
fn the_assertion_is_under_if_false() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    if false {
        capture.assert_one(expect::span("alert.send"));
    }
}

#[test]
fn the_assertion_is_in_the_else_of_if_true() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    if !false {
        let _ = capture.spans();
    } else {
        capture.assert_one(expect::span("alert.send"));
    }
}

#[test]
fn the_assertion_is_in_the_else_of_if_false() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    if (false) {
        let _ = capture.spans();
    } else {
        capture.assert_one(expect::span("alert.send"));
    }
}

fn plugin() -> floe_alert_demo::DemoPlugin {
    floe_alert_demo::DemoPlugin::for_tests()
}
