//! A deterministic text rendering of captured spans, for `insta` snapshots and failure
//! messages.
//!
//! Spans are shown as a tree (children below their parent, in start order), with kind,
//! status, instrumentation scope, attributes sorted by key, and events with their sorted
//! attributes. Span ids are replaced by `#1`, `#2`, ... in rendering order; timestamps and
//! durations never appear. Attributes whose values change between runs (durations,
//! generated ids) are shown as `<type>`: those `tracing-opentelemetry` adds to `tracing`
//! spans ([`TRACING_VOLATILE`]: timings, thread, line number), any a test names with
//! [`RenderOptions::volatile`], and, with the `floe` feature, those floe's telemetry
//! registry marks volatile.

use std::collections::HashMap;
use std::fmt::Write as _;

use opentelemetry::trace::{SpanId, Status};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::trace::SpanData;
use tracing::Level;

use crate::spans::{CapturedSpans, children_of};

/// Attributes `tracing-opentelemetry` puts on spans made by `tracing` that change from run
/// to run (time busy and idle, the thread) or with any edit (the line number): rendered as
/// their type.
pub const TRACING_VOLATILE: [&str; 5] =
    ["busy_ns", "idle_ns", "thread.id", "thread.name", "code.line.number"];

/// Options for [`span_tree_with`].
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    volatile: Vec<String>,
    events_from: Option<Level>,
    siblings_by_name: bool,
}

impl RenderOptions {
    /// Shows the values of `key` as their type only (`<f64>`, `<string>`), for attributes
    /// that differ between runs.
    #[must_use]
    pub fn volatile(mut self, key: impl Into<String>) -> Self {
        self.volatile.push(key.into());
        self
    }

    /// Orders the children of a span by name (then by their attributes) instead of by start
    /// time: for work started concurrently (tasks spawned together), whose start order
    /// differs from run to run.
    #[must_use]
    pub fn siblings_by_name(mut self) -> Self {
        self.siblings_by_name = true;
        self
    }

    /// Shows span events that `tracing` recorded (they carry a `level` attribute) only
    /// from `level` up, and says how many were hidden; other events are always shown.
    /// Failure output uses the capture's level (INFO unless
    /// [`Capture::show_events_from`](crate::Capture::show_events_from) says otherwise).
    #[must_use]
    pub fn events_from(mut self, level: Level) -> Self {
        self.events_from = Some(level);
        self
    }
}

/// Whether a `tracing` level named `name` (`"DEBUG"`) is at least as severe as `level`;
/// a name that is no level counts as severe enough.
fn at_least(name: &str, level: Level) -> bool {
    !matches!(name.parse::<Level>(), Ok(actual) if actual > level)
}

/// Whether a captured log line (`LEVEL target: ...`) is at least `level`.
pub(crate) fn line_at_least(line: &str, level: Level) -> bool {
    at_least(line.split(' ').next().unwrap_or_default(), level)
}

/// Renders the capture as a tree.
///
/// # Examples
/// ```
/// use floe_otel_testkit::{Capture, render};
/// use opentelemetry::KeyValue;
/// use opentelemetry::trace::{Span as _, Status, Tracer as _};
///
/// let capture = Capture::start();
/// let mut span = opentelemetry::global::tracer("my-lib").start("cart.checkout");
/// span.set_attribute(KeyValue::new("cart.items", 3_i64));
/// span.set_status(Status::Ok);
/// span.end();
/// assert_eq!(
///     render::span_tree(&capture.spans()),
///     "#1 cart.checkout [internal] ok (my-lib)\n    cart.items = 3\n",
/// );
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
    for root in ordered(spans.roots(), options) {
        render_span(root, all, 0, options, &mut ids, &mut out);
    }
    out
}

/// `spans` (in start order) reordered by name when the options ask for it.
fn ordered<'a>(mut spans: Vec<&'a SpanData>, options: &RenderOptions) -> Vec<&'a SpanData> {
    if options.siblings_by_name {
        spans.sort_by_cached_key(|span| {
            (span.name.clone(), attribute_lines(&span.attributes, options).join("\n"))
        });
    }
    spans
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
    let mut hidden = 0;
    for event in span.events.iter() {
        if let Some(level) = options.events_from
            && let Some(Value::String(name)) =
                event.attributes.iter().find(|kv| kv.key.as_str() == "level").map(|kv| &kv.value)
            && !at_least(name.as_str(), level)
        {
            hidden += 1;
            continue;
        }
        let _ = writeln!(out, "{indent}    event {}", event.name);
        for line in attribute_lines(&event.attributes, options) {
            let _ = writeln!(out, "{indent}      {line}");
        }
    }
    if hidden > 0 {
        let level = options.events_from.unwrap_or(Level::TRACE);
        let _ = writeln!(out, "{indent}    ({hidden} `tracing` events below {level} hidden)");
    }
    for link in span.links.iter() {
        let target = ids
            .get(&link.span_context.span_id())
            .map_or_else(|| "external".to_owned(), |n| format!("#{n}"));
        let _ = writeln!(out, "{indent}    link -> {target}");
    }
    for child in ordered(children_of(span, all), options) {
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
            if TRACING_VOLATILE.contains(&key)
                || registry_volatile(key)
                || options.volatile.iter().any(|k| k == key)
            {
                format!("{key} = <{}>", type_name(v))
            } else {
                format!("{key} = {}", value(v))
            }
        })
        .collect()
}

/// Whether floe's telemetry registry marks `key` volatile (feature `floe`).
#[cfg(feature = "floe")]
fn registry_volatile(key: &str) -> bool {
    floe_telemetry::conventions::attribute(key).is_some_and(|a| a.volatile)
}

#[cfg(not(feature = "floe"))]
fn registry_volatile(_key: &str) -> bool {
    false
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
