//! An assertion in an async block counts only when the block is awaited or handed on.

mod ops;

use floe_otel_testkit::{Capture, expect};

#[tokio::test]
async fn the_assertion_is_in_async_blocks_never_awaited() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    async {
        capture.assert_one(expect::span("alert.send"));
    };
    let _ = async {
        capture.assert_one(expect::span("alert.send"));
    };
    let _unused = async {
        capture.assert_one(expect::span("alert.send"));
    };
}

#[tokio::test]
async fn the_assertion_is_in_an_async_block_that_is_awaited() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    let check = async {
        capture.assert_one(expect::span("alert.send"));
    };
    check.await;
}

#[test]
fn the_assertion_is_in_an_async_block_handed_to_a_runtime() {
    let capture = Capture::start();
    plugin().send("x").unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        capture.assert_one(expect::span("alert.send"));
    });
}

fn plugin() -> floe_alert_demo::DemoPlugin {
    floe_alert_demo::DemoPlugin::for_tests()
}
