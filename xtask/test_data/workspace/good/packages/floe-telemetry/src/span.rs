//! The domain span; `record_failure_on` (behind `record_failure`) is the only writer of
//! error statuses.

use opentelemetry::trace::{Status, TraceContextExt as _, Tracer as _};

pub struct DomainSpan;

impl DomainSpan {
    pub fn start(tracer_name: &str, op: &'static str) -> Self {
        let tracer = super::TracerFactory::global().tracer(tracer_name);
        let _span = tracer.span_builder(op).start(&tracer);
        Self
    }
}

pub fn in_span<T, E>(tracer: &str, op: &'static str, body: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    let span = DomainSpan::start(tracer, op);
    let result = body();
    drop(span);
    result
}

pub fn record_failure(cx: &opentelemetry::Context, message: SanitizedMessage) {
    record_failure_on(&cx.span(), message);
}

fn record_failure_on(span: &opentelemetry::trace::SpanRef<'_>, message: SanitizedMessage) {
    span.add_event(attr::EXCEPTION_EVENT, vec![]);
    span.set_status(Status::error(message.into_cow()));
}

fn finish_ok(cx: &opentelemetry::Context) {
    cx.span().set_status(Status::Ok);
}

fn describe(status: &Status) -> &str {
    match status {
        Status::Error { description } => description,
        _ => "",
    }
}
