//! Tests a `#[cfg]` may compile out: on the test, and on a module around tests.

mod ops;

use floe_otel_testkit::{Capture, expect};

#[cfg(any())]
#[test]
fn a_test_compiled_out() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    capture.assert_one(expect::span("alert.send"));
}

#[test]
#[cfg_attr(not(feature = "slow"), ignore)]
fn a_test_ignored_unless_a_feature_is_on() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    capture.assert_one(expect::span("alert.send"));
}

#[cfg(feature = "never")]
mod gated {
    use floe_otel_testkit::{Capture, expect};

    #[test]
    fn a_test_in_a_module_compiled_out() {
        let capture = Capture::start();
        super::plugin().send("x").unwrap();
        capture.assert_one(expect::span("alert.send"));
    }
}

#[test]
fn a_test_with_an_assertion_compiled_out() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    #[cfg(any())]
    capture.assert_one(expect::span("alert.send"));
}

fn plugin() -> floe_alert_demo::DemoPlugin {
    floe_alert_demo::DemoPlugin::for_tests()
}
