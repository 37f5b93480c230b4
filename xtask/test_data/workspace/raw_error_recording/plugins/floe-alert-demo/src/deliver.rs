//! Every way of writing an error onto a span by hand, each raw: SC-004 forbids them.

use floe_core::telemetry::attr;
use opentelemetry::trace::{Span as _, Status};

pub(crate) fn deliver(span: &mut impl opentelemetry::trace::Span, err: &std::io::Error) {
    span.record_error(err);
    span.add_event("exception", vec![]);
    span.add_event(attr::EXCEPTION_EVENT, vec![]);
    span.set_status(Status::error(err.to_string()));
    let statuses = vec![Status::Error { description: err.to_string().into() }];
    let status = statuses[0].clone();
    span.set_status(status);
    tracing::warn!("{:?}", span.record_error(err));
    // Allowed: reading a status, and setting Ok.
    if let Status::Error { description } = &statuses[0] {
        let _ = description;
    }
    span.set_status(Status::Ok);
    span.add_event("retry", vec![]);
}
