//! Whether every entry point still routes to the testkit, checked before each assertion:
//! a test that replaced the global tracer provider, or runs under a foreign `tracing`
//! subscriber, gets a failure that says so instead of a silently empty capture.

use floe_telemetry::TracerFactory;
use opentelemetry::InstrumentationScope;
use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};

use super::router::ROUTER;

/// The tracer the probes use; its spans never reach a capture.
const PROBE_TRACER: &str = "floe-otel-testkit.probe";
const PROBE_SPAN: &str = "floe-otel-testkit.probe";

/// Every reason the capture may be missing spans, one sentence each (empty when all
/// entry points route to the testkit).
pub(crate) fn problems() -> Vec<String> {
    let mut out = Vec::new();
    if !ROUTER.routes(|cx| {
        let tracer = opentelemetry::global::tracer_provider()
            .tracer_with_scope(InstrumentationScope::builder(PROBE_TRACER).build());
        tracer.start_with_context(PROBE_SPAN, cx).end();
    }) {
        out.push(
            "the `opentelemetry::global` tracer provider is no longer the testkit's: code \
             called `opentelemetry::global::set_tracer_provider` after the first capture, so \
             spans of `opentelemetry::global::tracer(..)` go to that provider and are not \
             captured. Do not install a provider in tests (the testkit's captures every \
             test's spans, in parallel); hand the code under test a provider of its own \
             instead of the global one if it needs one"
                .to_owned(),
        );
    }
    if !ROUTER.routes(|cx| {
        TracerFactory::global().tracer(PROBE_TRACER).start_with_context(PROBE_SPAN, cx).end();
    }) {
        out.push(
            "floe's `TracerFactory::global()` no longer uses the testkit's provider: code \
             called `TracerFactory::install` or `disable` (production start-up, \
             `init_telemetry`) after the first capture, so floe's spans are not captured. \
             Test start-up with `init_telemetry_in` and a `TracerFactory` of its own"
                .to_owned(),
        );
    }
    out.extend(super::bridge::diagnose());
    out
}
