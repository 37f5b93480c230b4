//! Expectations about spans, built like OpenTelemetry Java's `sdk-testing` assertions:
//! `expect::span("alert.send").ok().attr(attr::ALERT_CHANNEL, "#ops")`.

mod check;
mod tree;

use std::fmt;
use std::sync::Arc;

use opentelemetry::trace::SpanKind;
use opentelemetry::{Key, Value};
use regex::Regex;

pub(crate) use check::{Check, check_span};
pub use tree::{TreeExpectation, tree};

/// An expectation about one span.
#[derive(Clone, Debug)]
pub struct SpanExpectation {
    pub(crate) name: String,
    pub(crate) kind: Option<SpanKind>,
    pub(crate) status: Option<StatusExpectation>,
    pub(crate) attrs: Vec<(Key, AttrMatcher)>,
    pub(crate) exact_attrs: bool,
    pub(crate) events: Vec<EventExpectation>,
    pub(crate) absent_events: Vec<String>,
    pub(crate) exception: Option<ExceptionExpectation>,
    pub(crate) parent: Option<ParentExpectation>,
    pub(crate) scope: Option<String>,
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

/// A text condition.
#[derive(Clone, Debug)]
pub(crate) enum TextMatcher {
    Equals(String),
    Contains(String),
    Matches(Regex),
}

/// A condition on one attribute's value (the last value recorded for the key).
#[derive(Clone)]
pub(crate) enum AttrMatcher {
    Equals(Value),
    Text(TextMatcher),
    Predicate(String, Arc<dyn Fn(&Value) -> bool + Send + Sync>),
    Present,
    Absent,
}

impl fmt::Debug for AttrMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
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
    Root,
    Named(String),
}

/// An expectation about one event of a span.
#[derive(Clone, Debug)]
pub struct EventExpectation {
    pub(crate) name: String,
    pub(crate) attrs: Vec<(Key, AttrMatcher)>,
}

/// Expects a span named `name` (`<category>.<operation>`).
pub fn span(name: impl Into<String>) -> SpanExpectation {
    SpanExpectation {
        name: name.into(),
        kind: None,
        status: None,
        attrs: Vec::new(),
        exact_attrs: false,
        events: Vec::new(),
        absent_events: Vec::new(),
        exception: None,
        parent: None,
        scope: None,
        floe_attributes: false,
        without_text: Vec::new(),
    }
}

/// Expects an event named `name`.
pub fn event(name: impl Into<String>) -> EventExpectation {
    EventExpectation { name: name.into(), attrs: Vec::new() }
}

impl EventExpectation {
    /// The event has attribute `key` equal to `value`.
    #[must_use]
    pub fn attr(mut self, key: impl Into<Key>, value: impl Into<Value>) -> Self {
        self.attrs.push((key.into(), AttrMatcher::Equals(value.into())));
        self
    }

    /// The event has a string attribute `key` containing `text`.
    #[must_use]
    pub fn attr_contains(mut self, key: impl Into<Key>, text: impl Into<String>) -> Self {
        self.attrs.push((key.into(), AttrMatcher::Text(TextMatcher::Contains(text.into()))));
        self
    }

    /// The event has attribute `key`.
    #[must_use]
    pub fn has_attr(mut self, key: impl Into<Key>) -> Self {
        self.attrs.push((key.into(), AttrMatcher::Present));
        self
    }
}

impl SpanExpectation {
    /// The span kind.
    #[must_use]
    pub fn kind(mut self, kind: SpanKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Status `Ok`.
    #[must_use]
    pub fn ok(mut self) -> Self {
        self.status = Some(StatusExpectation::Ok);
        self
    }

    /// Status `Unset`.
    #[must_use]
    pub fn unset(mut self) -> Self {
        self.status = Some(StatusExpectation::Unset);
        self
    }

    /// Status `Error`, any description.
    #[must_use]
    pub fn error(mut self) -> Self {
        self.status = Some(StatusExpectation::Error(None));
        self
    }

    /// Status `Error` whose description contains `text`.
    #[must_use]
    pub fn error_containing(mut self, text: impl Into<String>) -> Self {
        self.status = Some(StatusExpectation::Error(Some(TextMatcher::Contains(text.into()))));
        self
    }

    /// Status `Error` whose description is exactly `text`.
    #[must_use]
    pub fn error_description(mut self, text: impl Into<String>) -> Self {
        self.status = Some(StatusExpectation::Error(Some(TextMatcher::Equals(text.into()))));
        self
    }

    /// An `exception` event whose `exception.type` contains `type_name`.
    #[must_use]
    pub fn exception(mut self, type_name: impl Into<String>) -> Self {
        self.exception.get_or_insert_with(ExceptionExpectation::default).type_contains =
            Some(type_name.into());
        self
    }

    /// An `exception` event whose `exception.message` contains `text`.
    #[must_use]
    pub fn exception_message_containing(mut self, text: impl Into<String>) -> Self {
        self.exception.get_or_insert_with(ExceptionExpectation::default).message =
            Some(TextMatcher::Contains(text.into()));
        self
    }

    /// Attribute `key` equals `value` (typed: `3_i64` is not `"3"`).
    #[must_use]
    pub fn attr(mut self, key: impl Into<Key>, value: impl Into<Value>) -> Self {
        self.attrs.push((key.into(), AttrMatcher::Equals(value.into())));
        self
    }

    /// String attribute `key` contains `text`.
    #[must_use]
    pub fn attr_contains(mut self, key: impl Into<Key>, text: impl Into<String>) -> Self {
        self.attrs.push((key.into(), AttrMatcher::Text(TextMatcher::Contains(text.into()))));
        self
    }

    /// String attribute `key` matches the regular expression `pattern`.
    ///
    /// # Panics
    /// When `pattern` is not a valid regular expression.
    #[must_use]
    #[track_caller]
    pub fn attr_matches(mut self, key: impl Into<Key>, pattern: &str) -> Self {
        let regex = Regex::new(pattern)
            .unwrap_or_else(|e| panic!("invalid pattern {pattern:?} in attr_matches: {e}"));
        self.attrs.push((key.into(), AttrMatcher::Text(TextMatcher::Matches(regex))));
        self
    }

    /// Attribute `key` satisfies `predicate`; `label` says what it checks in failures.
    #[must_use]
    pub fn attr_satisfies(
        mut self,
        key: impl Into<Key>,
        label: impl Into<String>,
        predicate: impl Fn(&Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.attrs.push((key.into(), AttrMatcher::Predicate(label.into(), Arc::new(predicate))));
        self
    }

    /// Attribute `key` is present, any value.
    #[must_use]
    pub fn has_attr(mut self, key: impl Into<Key>) -> Self {
        self.attrs.push((key.into(), AttrMatcher::Present));
        self
    }

    /// Attribute `key` is absent.
    #[must_use]
    pub fn no_attr(mut self, key: impl Into<Key>) -> Self {
        self.attrs.push((key.into(), AttrMatcher::Absent));
        self
    }

    /// The span carries no attribute other than those this expectation names (and the
    /// `FloeSpanAttributes`, if [`floe_attributes`](Self::floe_attributes) is set).
    #[must_use]
    pub fn exact_attrs(mut self) -> Self {
        self.exact_attrs = true;
        self
    }

    /// The span carries `floe.namespace` (the `FloeSpanAttributes` of FR-019).
    #[must_use]
    pub fn floe_attributes(mut self) -> Self {
        self.floe_attributes = true;
        self
    }

    /// The span has an event matching `event`.
    #[must_use]
    pub fn event(mut self, event: EventExpectation) -> Self {
        self.events.push(event);
        self
    }

    /// The span has no event named `name`.
    #[must_use]
    pub fn no_event(mut self, name: impl Into<String>) -> Self {
        self.absent_events.push(name.into());
        self
    }

    /// The span's parent is a captured span named `name`.
    #[must_use]
    pub fn parent(mut self, name: impl Into<String>) -> Self {
        self.parent = Some(ParentExpectation::Named(name.into()));
        self
    }

    /// The span is a root of the capture (its parent is the capture itself).
    #[must_use]
    pub fn root(mut self) -> Self {
        self.parent = Some(ParentExpectation::Root);
        self
    }

    /// The span was created by the tracer named `name` (its instrumentation scope).
    #[must_use]
    pub fn scope(mut self, name: impl Into<String>) -> Self {
        self.scope = Some(name.into());
        self
    }

    /// No string on the span (name, attributes, events, status) contains `text` or any
    /// 8-character fragment of it.
    #[must_use]
    pub fn without_text(mut self, text: impl Into<String>) -> Self {
        self.without_text.push(text.into());
        self
    }
}

impl fmt::Display for SpanExpectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "span {:?}", self.name)?;
        if let Some(kind) = &self.kind {
            write!(f, "\n  kind: {kind:?}")?;
        }
        if let Some(status) = &self.status {
            write!(f, "\n  status: {}", status.describe())?;
        }
        if let Some(exception) = &self.exception {
            write!(f, "\n  exception event: {}", exception.describe())?;
        }
        for (key, matcher) in &self.attrs {
            write!(f, "\n  attribute {key}: {}", matcher.describe())?;
        }
        if self.exact_attrs {
            write!(f, "\n  and no other attribute")?;
        }
        if self.floe_attributes {
            write!(f, "\n  FloeSpanAttributes (floe.namespace)")?;
        }
        for event in &self.events {
            write!(f, "\n  event {:?}", event.name)?;
            for (key, matcher) in &event.attrs {
                write!(f, " {key}: {}", matcher.describe())?;
            }
        }
        for name in &self.absent_events {
            write!(f, "\n  no event {name:?}")?;
        }
        match &self.parent {
            Some(ParentExpectation::Root) => write!(f, "\n  parent: none (a root of the capture)")?,
            Some(ParentExpectation::Named(name)) => write!(f, "\n  parent: {name:?}")?,
            None => {}
        }
        if let Some(scope) = &self.scope {
            write!(f, "\n  scope (tracer): {scope:?}")?;
        }
        for text in &self.without_text {
            write!(f, "\n  without the text {text:?} or any 8-character fragment of it")?;
        }
        Ok(())
    }
}

impl StatusExpectation {
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Ok => "ok".to_owned(),
            Self::Unset => "unset".to_owned(),
            Self::Error(None) => "error".to_owned(),
            Self::Error(Some(text)) => format!("error with description {}", text.describe()),
        }
    }
}

impl ExceptionExpectation {
    pub(crate) fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(type_name) = &self.type_contains {
            parts.push(format!("exception.type containing {type_name:?}"));
        }
        if let Some(message) = &self.message {
            parts.push(format!("exception.message {}", message.describe()));
        }
        parts.join(", ")
    }
}

impl TextMatcher {
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Equals(text) => format!("equal to {text:?}"),
            Self::Contains(text) => format!("containing {text:?}"),
            Self::Matches(regex) => format!("matching /{}/", regex.as_str()),
        }
    }

    pub(crate) fn is_match(&self, actual: &str) -> bool {
        match self {
            Self::Equals(text) => actual == text,
            Self::Contains(text) => actual.contains(text.as_str()),
            Self::Matches(regex) => regex.is_match(actual),
        }
    }
}

impl AttrMatcher {
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Equals(value) => format!("= {}", crate::render::value(value)),
            Self::Text(text) => text.describe(),
            Self::Predicate(label, _) => format!("satisfying {label:?}"),
            Self::Present => "present".to_owned(),
            Self::Absent => "absent".to_owned(),
        }
    }

    pub(crate) fn is_match(&self, actual: Option<&Value>) -> bool {
        match (self, actual) {
            (Self::Absent, None) | (Self::Present, Some(_)) => true,
            (Self::Equals(expected), Some(value)) => expected == value,
            (Self::Text(text), Some(Value::String(value))) => text.is_match(value.as_str()),
            (Self::Predicate(_, predicate), Some(value)) => predicate(value),
            _ => false,
        }
    }
}
