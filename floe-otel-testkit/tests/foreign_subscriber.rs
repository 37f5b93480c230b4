//! A test binary that sets its own `tracing` subscriber before any capture (as a logging
//! helper does): `tracing` cannot be captured, and every assertion says so and how to fix
//! it. A binary of its own because the global subscriber is process-wide.

use floe_otel_testkit::{Capture, expect};
use opentelemetry::trace::Tracer as _;

#[test]
fn a_subscriber_set_before_the_first_capture_fails_the_next_assertion_saying_so() {
    tracing::subscriber::set_global_default(tracing_subscriber::registry())
        .expect("the first subscriber of this binary");
    let capture = Capture::start();
    tracing::info_span!("cart.add").in_scope(|| {});
    floe_telemetry::TracerFactory::global().tracer("my-lib").in_span("cart.remove", |_| {});

    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        capture.assert_one(expect::span("cart.remove"));
    }))
    .expect_err("the assertion fails");
    let message = payload.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.starts_with(
            "assert_one cannot trust this capture:\n  - a `tracing` subscriber was already the global default when the first capture started"
        ),
        "{message}"
    );
    assert!(message.contains("`tracing` spans and events are not captured"), "{message}");
    assert!(
        message.contains("tracing_subscriber::registry().with(floe_otel_testkit::tracing_layer())"),
        "{message}"
    );
    // what was captured is still there, and says what is missing
    assert_eq!(capture.spans().names(), ["cart.remove"]);
}
