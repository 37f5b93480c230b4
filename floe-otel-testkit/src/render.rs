//! A deterministic text rendering of captured spans, for `insta` snapshots and failure
//! messages.
//!
//! Spans are shown as a tree (children below their parent, in start order), with kind,
//! status, instrumentation scope, attributes sorted by key, and events with their sorted
//! attributes. Span ids are replaced by `#1`, `#2`, ... in rendering order; timestamps and
//! durations never appear. Attributes whose values change between runs (durations,
//! generated ids) are shown as `<type>`: those the telemetry registry marks volatile, and
//! any a test adds with [`RenderOptions::volatile`].

use std::collections::HashMap;
use std::fmt::Write as _;

use opentelemetry::trace::{SpanId, Status};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::trace::SpanData;

use crate::spans::{CapturedSpans, children_of};

/// Options for [`span_tree_with`].
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    volatile: Vec<String>,
}

impl RenderOptions {
    /// Shows the values of `key` as their type only (`<f64>`, `<string>`), for attributes
    /// that differ between runs.
    #[must_use]
    pub fn volatile(mut self, key: impl Into<String>) -> Self {
        self.volatile.push(key.into());
        self
    }
}

/// Renders the capture as a tree.
///
/// # Examples
/// ```
/// use floe_otel_testkit::{Capture, render};
/// use floe_telemetry::{DomainSpan, Operation};
///
/// #[derive(Clone, Copy)]
/// struct Send;
/// impl Operation for Send {
///     fn span_name(self) -> &'static str { "alert.send" }
/// }
/// let capture = Capture::start();
/// DomainSpan::start("floe.alert.demo", Send).succeed();
/// let text = render::span_tree(&capture.spans());
/// assert!(text.starts_with("#1 alert.send [internal] ok (floe.alert.demo)"));
/// ```
pub fn span_tree(spans: &CapturedSpans) -> String {
    span_tree_with(spans, &RenderOptions::default())
}

/// Renders the capture as a tree with `options`.
pub fn span_tree_with(spans: &CapturedSpans, options: &RenderOptions) -> String {
    let all = spans.all();
    if all.is_empty() {
        return "(no spans)\n".to_owned();
    }
    let mut ids = HashMap::new();
    let mut out = String::new();
    for root in spans.roots() {
        render_span(root, all, 0, options, &mut ids, &mut out);
    }
    out
}

/// The `#n` id of every span, in the order [`span_tree`] renders them.
pub(crate) fn tree_ids(spans: &CapturedSpans) -> HashMap<SpanId, usize> {
    fn visit(span: &SpanData, all: &[SpanData], ids: &mut HashMap<SpanId, usize>) {
        let next = ids.len() + 1;
        ids.entry(span.span_context.span_id()).or_insert(next);
        for child in children_of(span, all) {
            visit(child, all, ids);
        }
    }
    let mut ids = HashMap::new();
    for root in spans.roots() {
        visit(root, spans.all(), &mut ids);
    }
    ids
}

fn render_span(
    span: &SpanData,
    all: &[SpanData],
    depth: usize,
    options: &RenderOptions,
    ids: &mut HashMap<SpanId, usize>,
    out: &mut String,
) {
    let next = ids.len() + 1;
    let id = *ids.entry(span.span_context.span_id()).or_insert(next);
    let indent = "  ".repeat(depth);
    let _ = writeln!(
        out,
        "{indent}#{id} {} [{}] {} ({})",
        span.name,
        kind(&span.span_kind),
        status(&span.status),
        span.instrumentation_scope.name()
    );
    for line in attribute_lines(&span.attributes, options) {
        let _ = writeln!(out, "{indent}    {line}");
    }
    for event in span.events.iter() {
        let _ = writeln!(out, "{indent}    event {}", event.name);
        for line in attribute_lines(&event.attributes, options) {
            let _ = writeln!(out, "{indent}      {line}");
        }
    }
    for link in span.links.iter() {
        let target = ids
            .get(&link.span_context.span_id())
            .map_or_else(|| "external".to_owned(), |n| format!("#{n}"));
        let _ = writeln!(out, "{indent}    link -> {target}");
    }
    for child in children_of(span, all) {
        render_span(child, all, depth + 1, options, ids, out);
    }
}

/// Attributes as `key = value` lines, sorted by key; only the last value of a repeated
/// key counts (that is what a backend shows).
fn attribute_lines(attributes: &[KeyValue], options: &RenderOptions) -> Vec<String> {
    let mut last: Vec<(&str, &Value)> = Vec::new();
    for kv in attributes {
        match last.iter_mut().find(|(k, _)| *k == kv.key.as_str()) {
            Some(entry) => entry.1 = &kv.value,
            None => last.push((kv.key.as_str(), &kv.value)),
        }
    }
    last.sort_by(|a, b| a.0.cmp(b.0));
    last.into_iter()
        .map(|(key, v)| {
            let registry_volatile =
                floe_telemetry::conventions::attribute(key).is_some_and(|a| a.volatile);
            if registry_volatile || options.volatile.iter().any(|k| k == key) {
                format!("{key} = <{}>", type_name(v))
            } else {
                format!("{key} = {}", value(v))
            }
        })
        .collect()
}

/// Attributes on one line, for failure messages.
pub(crate) fn attributes_inline(attributes: &[KeyValue]) -> String {
    attribute_lines(attributes, &RenderOptions::default()).join(", ")
}

/// A value as it is rendered: strings quoted, arrays bracketed.
pub fn value(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{:?}", s.as_str()),
        Value::Bool(b) => b.to_string(),
        Value::I64(i) => i.to_string(),
        Value::F64(f) => format!("{f:?}"),
        Value::Array(array) => match array {
            opentelemetry::Array::String(items) => {
                format!(
                    "{:?}",
                    items.iter().map(opentelemetry::StringValue::as_str).collect::<Vec<_>>()
                )
            }
            opentelemetry::Array::Bool(items) => format!("{items:?}"),
            opentelemetry::Array::I64(items) => format!("{items:?}"),
            opentelemetry::Array::F64(items) => format!("{items:?}"),
            other => format!("{other:?}"),
        },
        other => format!("{other:?}"),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::I64(_) => "i64",
        Value::F64(_) => "f64",
        Value::Array(_) => "array",
        _ => "value",
    }
}

/// A status as it is rendered.
pub fn status(status: &Status) -> String {
    match status {
        Status::Unset => "unset".to_owned(),
        Status::Ok => "ok".to_owned(),
        Status::Error { description } if description.is_empty() => "error".to_owned(),
        Status::Error { description } => format!("error {description:?}"),
    }
}

fn kind(kind: &opentelemetry::trace::SpanKind) -> &'static str {
    use opentelemetry::trace::SpanKind;
    match kind {
        SpanKind::Client => "client",
        SpanKind::Server => "server",
        SpanKind::Producer => "producer",
        SpanKind::Consumer => "consumer",
        SpanKind::Internal => "internal",
    }
}
