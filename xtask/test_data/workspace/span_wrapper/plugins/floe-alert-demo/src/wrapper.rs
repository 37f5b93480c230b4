//! Every kind of local span machinery SC-003 forbids.

use floe_core::telemetry::{DomainSpan, SpanRecorder, TracerFactory};
use opentelemetry::global;
use opentelemetry::trace::Tracer as _;
use tracing::info_span;

pub(crate) fn raw_span() {
    let tracer = TracerFactory::global().tracer(crate::telemetry::TRACER_NAME);
    let _span = tracer.start("alert.send");
    let _other = global::tracer("floe.alert.demo");
    let _ufcs = opentelemetry::trace::Tracer::start(&tracer, "alert.send");
    tracer.in_span("alert.send", |_cx| {});
}

pub(crate) fn demo_span<T, F: FnOnce(&SpanRecorder) -> T>(body: F) -> T {
    let span = DomainSpan::start(crate::telemetry::TRACER_NAME, crate::telemetry::AlertOp::Send);
    let result = body(&span.recorder());
    span.succeed();
    result
}

pub(crate) async fn demo_span_async<T>(body: impl std::future::Future<Output = T>) -> T {
    let span = DomainSpan::start(crate::telemetry::TRACER_NAME, crate::telemetry::AlertOp::Send);
    let result = body.await;
    span.succeed();
    result
}

#[proc_macro_attribute]
pub fn demo_traced(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}

#[tracing::instrument]
pub(crate) fn instrumented() {
    let _guard = info_span!("alert.send").entered();
    let _other = tracing::debug_span!("alert.send");
}

macro_rules! demo_traced {
    ($op:expr, $body:block) => {{
        let span = floe_core::telemetry::DomainSpan::start(crate::telemetry::TRACER_NAME, $op);
        let result = $body;
        span.succeed();
        result
    }};
}
