//! A test binary whose code replaces the global tracer and meter providers, and floe's
//! `TracerFactory` provider, after the first capture: the next assertion fails saying
//! which and what to do. A binary of its own because the providers are process-wide.

use floe_otel_testkit::{Capture, expect};
use opentelemetry::trace::Tracer as _;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;

#[expect(clippy::disallowed_methods, reason = "the entry point an outside library uses")]
fn global_tracer() -> opentelemetry::global::BoxedTracer {
    opentelemetry::global::tracer("my-lib")
}

fn failure(body: impl FnOnce()) -> String {
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body))
        .expect_err("the assertion was expected to fail");
    payload.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn replacing_a_provider_after_the_first_capture_fails_the_next_assertion_saying_so() {
    let capture = Capture::start();
    global_tracer().in_span("cart.add", |_| {});
    capture.assert_one(expect::span("cart.add"));

    #[expect(clippy::disallowed_methods, reason = "what the test is about: code that does this")]
    opentelemetry::global::set_tracer_provider(SdkTracerProvider::builder().build());
    global_tracer().in_span("cart.remove", |_| {});
    let message = failure(|| capture.assert_none(expect::span("cart.remove")));
    assert!(
        message.starts_with(
            "assert_none cannot trust this capture:\n  - the `opentelemetry::global` tracer provider is no longer the testkit's: code called `opentelemetry::global::set_tracer_provider` after the first capture"
        ),
        "{message}"
    );
    assert!(message.contains("Do not install a provider in tests"), "{message}");

    opentelemetry::global::set_meter_provider(SdkMeterProvider::builder().build());
    let message = failure(|| {
        capture.assert_metric(expect::metric("cart.items"));
    });
    assert!(
        message.contains(
            "the `opentelemetry::global` meter provider is no longer the testkit's: code called `opentelemetry::global::set_meter_provider`"
        ),
        "{message}"
    );

    floe_telemetry::TracerFactory::global().disable();
    let message = failure(|| {
        capture.assert_one(expect::span("cart.add"));
    });
    assert!(
        message.contains("floe's `TracerFactory::global()` no longer uses the testkit's provider"),
        "{message}"
    );
}
