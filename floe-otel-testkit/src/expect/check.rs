//! Evaluating a [`SpanExpectation`] against one span, field by field.

use std::fmt::Write as _;

use opentelemetry::trace::{Event, Status};
use opentelemetry::{Key, KeyValue};
use opentelemetry_sdk::trace::SpanData;

use super::attrs::{all_match, describe_all};
use super::{
    AttrMatcher, EventExpectation, ExceptionExpectation, LinkExpectation, LinkTarget,
    ParentExpectation, SpanExpectation, StatusExpectation,
};
use crate::spans::{last_attr, parent_of};

/// The `exception` event and its attributes (OpenTelemetry semantic conventions).
const EXCEPTION_EVENT: &str = "exception";
const EXCEPTION_TYPE: Key = Key::from_static_str("exception.type");
const EXCEPTION_MESSAGE: Key = Key::from_static_str("exception.message");

/// The outcome of one field of an expectation on one span.
#[derive(Clone, Debug)]
pub(crate) struct Check {
    pub(crate) field: String,
    pub(crate) passed: bool,
    pub(crate) actual: String,
}

impl Check {
    pub(crate) fn new(field: impl Into<String>, passed: bool, actual: impl Into<String>) -> Self {
        Self { field: field.into(), passed, actual: actual.into() }
    }
}

/// Every check of `expectation` against `span`; `all` gives parents and links their names.
pub(crate) fn check_span(
    expectation: &SpanExpectation,
    span: &SpanData,
    all: &[SpanData],
) -> Vec<Check> {
    let mut checks = vec![Check::new(
        format!("name {:?}", expectation.name),
        span.name == expectation.name,
        format!("{:?}", span.name),
    )];
    if let Some(kind) = &expectation.kind {
        checks.push(Check::new(
            format!("kind {kind:?}"),
            &span.span_kind == kind,
            format!("{:?}", span.span_kind),
        ));
    }
    if let Some(status) = &expectation.status {
        checks.push(Check::new(
            format!("status {}", status.describe()),
            status_matches(status, &span.status),
            crate::render::status(&span.status),
        ));
    }
    if let Some(exception) = &expectation.exception {
        checks.push(exception_check(exception, span));
    }
    attribute_checks(expectation, span, &mut checks);
    super::events::event_checks(expectation, span, &mut checks);
    link_checks(expectation, span, all, &mut checks);
    relation_checks(expectation, span, all, &mut checks);
    checks
}

fn exception_check(exception: &ExceptionExpectation, span: &SpanData) -> Check {
    let events: Vec<&Event> = span.events.iter().filter(|e| e.name == EXCEPTION_EVENT).collect();
    let matches = events.iter().any(|event| {
        let type_ok = exception.type_contains.as_ref().is_none_or(|want| {
            last_attr(&event.attributes, &EXCEPTION_TYPE)
                .is_some_and(|v| v.as_str().contains(want.as_str()))
        });
        let message_ok = exception.message.as_ref().is_none_or(|want| {
            last_attr(&event.attributes, &EXCEPTION_MESSAGE)
                .is_some_and(|v| want.is_match(&v.as_str()))
        });
        type_ok && message_ok
    });
    let actual = if events.is_empty() {
        "no exception event".to_owned()
    } else {
        let described: Vec<_> =
            events.iter().map(|e| crate::render::attributes_inline(&e.attributes)).collect();
        described.join("; ")
    };
    Check::new(format!("exception event {}", exception.describe()), matches, actual)
}

/// The keys an expectation with `floe_attributes` admits beyond its own.
#[cfg(feature = "floe")]
const FLOE_SPAN_ATTRIBUTES: [Key; 4] = [
    floe_telemetry::attr::FLOE_NAMESPACE,
    floe_telemetry::attr::FLOE_PRODUCT_NAME,
    floe_telemetry::attr::FLOE_PRODUCT_VERSION,
    floe_telemetry::attr::FLOE_MODE,
];

fn attribute_checks(expectation: &SpanExpectation, span: &SpanData, checks: &mut Vec<Check>) {
    for (key, matcher) in &expectation.attrs {
        checks.push(attr_check(key, matcher, &span.attributes));
    }
    #[cfg(feature = "floe")]
    let floe = expectation.floe_attributes;
    #[cfg(not(feature = "floe"))]
    let floe = false;
    if expectation.exact_attrs {
        let allowed = |key: &Key| {
            expectation.attrs.iter().any(|(k, m)| k == key && !matches!(m, AttrMatcher::Absent))
                || (floe && floe_span_attribute(key))
        };
        let mut extra: Vec<&str> = span
            .attributes
            .iter()
            .filter(|kv| !allowed(&kv.key))
            .map(|kv| kv.key.as_str())
            .collect();
        extra.dedup();
        checks.push(Check::new(
            "no attribute beyond those expected",
            extra.is_empty(),
            format!("extra: {extra:?}"),
        ));
    }
    #[cfg(feature = "floe")]
    if floe {
        let namespace = last_attr(&span.attributes, &floe_telemetry::attr::FLOE_NAMESPACE);
        checks.push(Check::new(
            "FloeSpanAttributes (floe.namespace)",
            namespace.is_some(),
            namespace.map_or_else(|| "absent".to_owned(), crate::render::value),
        ));
    }
}

#[cfg(feature = "floe")]
fn floe_span_attribute(key: &Key) -> bool {
    FLOE_SPAN_ATTRIBUTES.contains(key)
}

#[cfg(not(feature = "floe"))]
fn floe_span_attribute(_key: &Key) -> bool {
    false
}

/// Whether `event` matches `expectation` (name and attributes).
pub(crate) fn event_matches(expectation: &EventExpectation, event: &Event) -> bool {
    event.name == expectation.name && all_match(&expectation.attrs, &event.attributes)
}

fn link_checks(
    expectation: &SpanExpectation,
    span: &SpanData,
    all: &[SpanData],
    checks: &mut Vec<Check>,
) {
    let describe_links = || {
        let targets: Vec<String> = span
            .links
            .iter()
            .map(|link| {
                let id = link.span_context.span_id();
                let name = all.iter().find(|s| s.span_context.span_id() == id);
                let mut text = name.map_or_else(
                    || {
                        format!(
                            "context {}/{}",
                            link.span_context.trace_id(),
                            link.span_context.span_id()
                        )
                    },
                    |s| format!("{:?}", s.name),
                );
                if !link.attributes.is_empty() {
                    let _ =
                        write!(text, " {{{}}}", crate::render::attributes_inline(&link.attributes));
                }
                text
            })
            .collect();
        format!("links: [{}]", targets.join(", "))
    };
    for link in &expectation.links {
        let passed = span.links.iter().any(|actual| {
            let context = &actual.span_context;
            let target_ok = match &link.target {
                LinkTarget::Named(name) => all.iter().any(|s| {
                    s.span_context.span_id() == context.span_id()
                        && s.span_context.trace_id() == context.trace_id()
                        && s.name == *name
                }),
                LinkTarget::Span(id, _) => context.span_id() == *id,
                LinkTarget::Context(want) => {
                    context.trace_id() == want.trace_id() && context.span_id() == want.span_id()
                }
            };
            target_ok && all_match(&link.attrs, &actual.attributes)
        });
        checks.push(Check::new(link.describe(), passed, describe_links()));
    }
    if let Some(count) = expectation.link_count {
        checks.push(Check::new(
            format!("{count} links"),
            span.links.len() == count,
            describe_links(),
        ));
    }
}

fn relation_checks(
    expectation: &SpanExpectation,
    span: &SpanData,
    all: &[SpanData],
    checks: &mut Vec<Check>,
) {
    if let Some(parent) = &expectation.parent {
        let actual = parent_of(span, all);
        let passed = match parent {
            ParentExpectation::Root => actual.is_none(),
            ParentExpectation::Named(name) => actual.is_some_and(|p| p.name == *name),
            ParentExpectation::Span(id, _) => {
                actual.is_some_and(|p| p.span_context.span_id() == *id)
            }
            ParentExpectation::Remote(context) => {
                span.parent_span_id == context.span_id()
                    && span.span_context.trace_id() == context.trace_id()
            }
        };
        let shown = actual.map_or_else(
            || format!("root (parent id {})", span.parent_span_id),
            |p| format!("{:?} with id {}", p.name, p.span_context.span_id()),
        );
        checks.push(Check::new(format!("parent: {}", parent.describe()), passed, shown));
    }
    if let Some(scope) = &expectation.scope {
        let actual = span.instrumentation_scope.name();
        checks.push(Check::new(format!("scope {scope:?}"), actual == scope, format!("{actual:?}")));
    }
    for text in &expectation.without_text {
        let found = crate::leak::scan_span(span, text);
        let shown: Vec<_> = found.iter().map(ToString::to_string).collect();
        checks.push(Check::new("without the planted text", found.is_empty(), shown.join("; ")));
    }
}

pub(crate) fn attr_check(key: &Key, matcher: &AttrMatcher, attributes: &[KeyValue]) -> Check {
    let actual = last_attr(attributes, key);
    Check::new(
        format!("attribute {key} {}", matcher.describe()),
        matcher.is_match(actual),
        actual.map_or_else(|| "absent".to_owned(), crate::render::value),
    )
}

fn status_matches(expected: &StatusExpectation, actual: &Status) -> bool {
    match (expected, actual) {
        (StatusExpectation::Ok, Status::Ok) | (StatusExpectation::Unset, Status::Unset) => true,
        (StatusExpectation::Error(want), Status::Error { description }) => {
            want.as_ref().is_none_or(|text| text.is_match(description))
        }
        _ => false,
    }
}

impl LinkExpectation {
    pub(crate) fn describe(&self) -> String {
        let target = match &self.target {
            LinkTarget::Named(name) => format!("link to a span named {name:?}"),
            LinkTarget::Span(id, name) => format!("link to the span {name:?} with id {id}"),
            LinkTarget::Context(context) => {
                format!("link to context {}/{}", context.trace_id(), context.span_id())
            }
        };
        format!("{target}{}", describe_all(&self.attrs))
    }
}

impl ParentExpectation {
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Root => "none (a root of the capture)".to_owned(),
            Self::Named(name) => format!("{name:?}"),
            Self::Span(id, name) => format!("the span {name:?} with id {id}"),
            Self::Remote(context) => {
                format!("the remote context {}/{}", context.trace_id(), context.span_id())
            }
        }
    }
}
