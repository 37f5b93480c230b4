//! Evaluating a [`SpanExpectation`] against one span, field by field.

use std::fmt::Write as _;

use floe_telemetry::attr;
use opentelemetry::trace::Status;
use opentelemetry::{Key, KeyValue};
use opentelemetry_sdk::trace::SpanData;

use super::{
    AttrMatcher, ExceptionExpectation, ParentExpectation, SpanExpectation, StatusExpectation,
};
use crate::spans::{last_attr, parent_of};

/// The outcome of one field of an expectation on one span.
#[derive(Clone, Debug)]
pub(crate) struct Check {
    pub(crate) field: String,
    pub(crate) passed: bool,
    pub(crate) actual: String,
}

impl Check {
    fn new(field: impl Into<String>, passed: bool, actual: impl Into<String>) -> Self {
        Self { field: field.into(), passed, actual: actual.into() }
    }
}

/// Every check of `expectation` against `span`; `all` gives parents their names.
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
    event_checks(expectation, span, &mut checks);
    relation_checks(expectation, span, all, &mut checks);
    checks
}

fn exception_check(exception: &ExceptionExpectation, span: &SpanData) -> Check {
    let events: Vec<_> = span.events.iter().filter(|e| e.name == attr::EXCEPTION_EVENT).collect();
    let matches = events.iter().any(|event| {
        let type_ok = exception.type_contains.as_ref().is_none_or(|want| {
            last_attr(&event.attributes, &attr::EXCEPTION_TYPE)
                .is_some_and(|v| v.as_str().contains(want.as_str()))
        });
        let message_ok = exception.message.as_ref().is_none_or(|want| {
            last_attr(&event.attributes, &attr::EXCEPTION_MESSAGE)
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

fn attribute_checks(expectation: &SpanExpectation, span: &SpanData, checks: &mut Vec<Check>) {
    for (key, matcher) in &expectation.attrs {
        checks.push(attr_check(key, matcher, &span.attributes));
    }
    if expectation.exact_attrs {
        let allowed = |key: &str| {
            expectation
                .attrs
                .iter()
                .any(|(k, m)| k.as_str() == key && !matches!(m, AttrMatcher::Absent))
                || (expectation.floe_attributes && key.starts_with("floe."))
        };
        let extra: Vec<&str> =
            span.attributes.iter().map(|kv| kv.key.as_str()).filter(|k| !allowed(k)).collect();
        checks.push(Check::new(
            "no attribute beyond those expected",
            extra.is_empty(),
            format!("extra: {extra:?}"),
        ));
    }
    if expectation.floe_attributes {
        let namespace = last_attr(&span.attributes, &attr::FLOE_NAMESPACE);
        checks.push(Check::new(
            "FloeSpanAttributes (floe.namespace)",
            namespace.is_some(),
            namespace.map_or_else(|| "absent".to_owned(), crate::render::value),
        ));
    }
}

fn event_checks(expectation: &SpanExpectation, span: &SpanData, checks: &mut Vec<Check>) {
    for event in &expectation.events {
        let candidates: Vec<_> = span.events.iter().filter(|e| e.name == event.name).collect();
        let passed = candidates
            .iter()
            .any(|e| event.attrs.iter().all(|(k, m)| m.is_match(last_attr(&e.attributes, k))));
        let actual = if candidates.is_empty() {
            let names: Vec<_> = span.events.iter().map(|e| e.name.to_string()).collect();
            format!("events: {names:?}")
        } else {
            let described: Vec<_> = candidates
                .iter()
                .map(|e| crate::render::attributes_inline(&e.attributes))
                .collect();
            described.join("; ")
        };
        let mut field = format!("event {:?}", event.name);
        for (key, matcher) in &event.attrs {
            let _ = write!(field, " {key}: {}", matcher.describe());
        }
        checks.push(Check::new(field, passed, actual));
    }
    for name in &expectation.absent_events {
        let count = span.events.iter().filter(|e| e.name == *name).count();
        checks.push(Check::new(
            format!("no event {name:?}"),
            count == 0,
            format!("{count} such events"),
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
        let (field, passed) = match parent {
            ParentExpectation::Root => ("parent: none (root)".to_owned(), actual.is_none()),
            ParentExpectation::Named(name) => {
                (format!("parent {name:?}"), actual.is_some_and(|p| p.name == *name))
            }
        };
        let shown = actual.map_or_else(|| "root".to_owned(), |p| format!("{:?}", p.name));
        checks.push(Check::new(field, passed, shown));
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

fn attr_check(key: &Key, matcher: &AttrMatcher, attributes: &[KeyValue]) -> Check {
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
