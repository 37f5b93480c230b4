//! Span builders and a panic-message catcher shared by the testkit's tests.

use std::panic::{AssertUnwindSafe, catch_unwind};

use floe_telemetry::{Operation, TracerFactory};
use opentelemetry::KeyValue;
use opentelemetry::trace::{Span as _, SpanKind, Status, Tracer as _};

/// The tracer name the testkit's own tests use.
pub(crate) const TRACER: &str = "floe.test.kit";

/// Operations of a pretend plugin.
#[derive(Clone, Copy, Debug)]
pub(crate) enum DemoOp {
    Send,
    Validate,
    Deliver,
}

impl Operation for DemoOp {
    fn span_name(self) -> &'static str {
        match self {
            Self::Send => "alert.send",
            Self::Validate => "alert.validate_config",
            Self::Deliver => "alert.deliver",
        }
    }
}

/// Ends a span named `name` with `attributes`, `events` and `status`, in the current context.
pub(crate) fn span(
    name: &'static str,
    attributes: Vec<KeyValue>,
    events: Vec<(&'static str, Vec<KeyValue>)>,
    status: Status,
) {
    span_of_kind(name, SpanKind::Internal, attributes, events, status);
}

/// [`span`] with a kind.
pub(crate) fn span_of_kind(
    name: &'static str,
    kind: SpanKind,
    attributes: Vec<KeyValue>,
    events: Vec<(&'static str, Vec<KeyValue>)>,
    status: Status,
) {
    let tracer = TracerFactory::global().tracer(TRACER);
    let mut span = tracer.span_builder(name).with_kind(kind).start(&tracer);
    span.set_attributes(attributes);
    for (event, attrs) in events {
        span.add_event(event, attrs);
    }
    span.set_status(status);
    span.end();
}

/// Runs `body`, which must panic, and returns the panic message.
pub(crate) fn failure_message(body: impl FnOnce()) -> String {
    let result = catch_unwind(AssertUnwindSafe(body));
    let payload = result.expect_err("the assertion was expected to fail");
    if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else {
        "<non-string panic>".to_owned()
    }
}
