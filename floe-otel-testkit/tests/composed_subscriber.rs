//! A test binary that sets its own `tracing` subscriber with the testkit's layer in it,
//! before any capture: `tracing` is captured as without a subscriber of its own. A binary
//! of its own because the global subscriber is process-wide.

use floe_otel_testkit::{Capture, expect};
use tracing_subscriber::layer::SubscriberExt as _;

#[test]
fn a_subscriber_that_holds_the_testkit_layer_keeps_tracing_captured() {
    let subscriber = tracing_subscriber::registry().with(floe_otel_testkit::tracing_layer());
    tracing::subscriber::set_global_default(subscriber).expect("the first subscriber");
    let capture = Capture::start();
    tracing::info_span!("cart.add", items = 2_i64).in_scope(|| tracing::warn!("cart is full"));
    capture.assert_one(expect::span("cart.add").scope("tracing").attr("items", 2_i64));
    assert!(
        capture
            .logs()
            .iter()
            .any(|line| line.starts_with("WARN ") && line.contains("cart is full"))
    );
}
