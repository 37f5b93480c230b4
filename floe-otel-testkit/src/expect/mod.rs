//! Expectations about spans, built like OpenTelemetry Java's `sdk-testing` assertions:
//! `expect::span("cart.checkout").ok().attr("cart.items", 3_i64)`.
//!
//! A [`SpanExpectation`] names the span and adds conditions: kind, status, attributes
//! (equal, containing, matching a regex, satisfying a labelled predicate, present,
//! absent), events (some, in order, exactly, counted, none), links (to a captured span or
//! to a remote context), parent (root, by name, by identity, remote), instrumentation
//! scope, and text that must appear nowhere. [`tree()`] builds expectations about the shape
//! of a span tree.

pub(crate) mod attrs;
mod builders;
mod check;
mod display;
mod events;
mod tree;

use opentelemetry::Key;
use opentelemetry::trace::{SpanContext, SpanId, SpanKind};

pub(crate) use attrs::{AttrMatcher, TextMatcher};
pub(crate) use check::{Check, check_span};
pub use tree::{TreeExpectation, tree};

#[cfg(feature = "metrics")]
pub use crate::metrics::{MetricExpectation, PointExpectation, metric, point};

/// An expectation about one span.
#[derive(Clone, Debug)]
pub struct SpanExpectation {
    pub(crate) name: String,
    pub(crate) kind: Option<SpanKind>,
    pub(crate) status: Option<StatusExpectation>,
    pub(crate) attrs: Vec<(Key, AttrMatcher)>,
    pub(crate) exact_attrs: bool,
    pub(crate) events: Vec<EventExpectation>,
    pub(crate) event_sequence: Option<(Vec<EventExpectation>, bool)>,
    pub(crate) event_counts: Vec<(EventExpectation, usize)>,
    pub(crate) absent_events: Vec<String>,
    pub(crate) exception: Option<ExceptionExpectation>,
    pub(crate) links: Vec<LinkExpectation>,
    pub(crate) link_count: Option<usize>,
    pub(crate) parent: Option<ParentExpectation>,
    pub(crate) scope: Option<String>,
    #[cfg(feature = "floe")]
    pub(crate) floe_attributes: bool,
    pub(crate) without_text: Vec<String>,
}

/// Expected status.
#[derive(Clone, Debug)]
pub(crate) enum StatusExpectation {
    Ok,
    Unset,
    Error(Option<TextMatcher>),
}

/// Expected exception event.
#[derive(Clone, Debug, Default)]
pub(crate) struct ExceptionExpectation {
    pub(crate) type_contains: Option<String>,
    pub(crate) message: Option<TextMatcher>,
}

/// Expected parent.
#[derive(Clone, Debug)]
pub(crate) enum ParentExpectation {
    /// No captured parent.
    Root,
    /// A captured parent with this name.
    Named(String),
    /// The captured span with this id (named here for messages).
    Span(SpanId, String),
    /// A parent context from elsewhere: this trace, this span id.
    Remote(SpanContext),
}

/// An expectation about one event of a span.
#[derive(Clone, Debug)]
pub struct EventExpectation {
    pub(crate) name: String,
    pub(crate) attrs: Vec<(Key, AttrMatcher)>,
}

/// An expectation about one link of a span.
#[derive(Clone, Debug)]
pub struct LinkExpectation {
    pub(crate) target: LinkTarget,
    pub(crate) attrs: Vec<(Key, AttrMatcher)>,
}

/// What a link points at.
#[derive(Clone, Debug)]
pub(crate) enum LinkTarget {
    /// A captured span with this name.
    Named(String),
    /// The captured span with this id (named here for messages).
    Span(SpanId, String),
    /// A span context from elsewhere (another trace, a message's producer).
    Context(SpanContext),
}

/// Expects a span named `name`.
pub fn span(name: impl Into<String>) -> SpanExpectation {
    SpanExpectation {
        name: name.into(),
        kind: None,
        status: None,
        attrs: Vec::new(),
        exact_attrs: false,
        events: Vec::new(),
        event_sequence: None,
        event_counts: Vec::new(),
        absent_events: Vec::new(),
        exception: None,
        links: Vec::new(),
        link_count: None,
        parent: None,
        scope: None,
        #[cfg(feature = "floe")]
        floe_attributes: false,
        without_text: Vec::new(),
    }
}

/// Expects an event named `name`.
pub fn event(name: impl Into<String>) -> EventExpectation {
    EventExpectation { name: name.into(), attrs: Vec::new() }
}

/// Expects a link to a captured span named `name`.
pub fn link_to(name: impl Into<String>) -> LinkExpectation {
    LinkExpectation { target: LinkTarget::Named(name.into()), attrs: Vec::new() }
}

/// Expects a link to exactly this captured span (by its span id), for a capture that
/// holds several spans of the same name.
pub fn link_to_span(span: &opentelemetry_sdk::trace::SpanData) -> LinkExpectation {
    LinkExpectation {
        target: LinkTarget::Span(span.span_context.span_id(), span.name.to_string()),
        attrs: Vec::new(),
    }
}

/// Expects a link to `context`, a span context from elsewhere: the producer of a message,
/// a batch's triggering request (trace id and span id must both match).
pub fn link_to_context(context: &SpanContext) -> LinkExpectation {
    LinkExpectation { target: LinkTarget::Context(context.clone()), attrs: Vec::new() }
}
