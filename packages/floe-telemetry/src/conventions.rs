//! The telemetry registry at run time: every declared span, attribute and event, with
//! lookups. The data is generated from `telemetry/registry/*.yaml` (`registry.rs`); the
//! testkit's `assert_conforms` checks captured spans against it.

use opentelemetry::Value;
use opentelemetry::trace::SpanKind;

use super::registry::{ATTRIBUTES, EVENTS, SPANS};

/// The type of an attribute's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttributeType {
    /// A string.
    String,
    /// A 64-bit integer.
    Int,
    /// A float.
    Double,
    /// A boolean.
    Boolean,
    /// An array of strings.
    StringArray,
    /// An array of integers.
    IntArray,
    /// An array of floats.
    DoubleArray,
    /// An array of booleans.
    BooleanArray,
    /// A string with one of these values.
    Enum(&'static [&'static str]),
}

impl AttributeType {
    /// Whether `value` has this type (and, for an enum, one of its values).
    pub fn accepts(self, value: &Value) -> bool {
        use opentelemetry::Array;
        match (self, value) {
            (Self::String, Value::String(_))
            | (Self::Int, Value::I64(_))
            | (Self::Double, Value::F64(_))
            | (Self::Boolean, Value::Bool(_))
            | (Self::StringArray, Value::Array(Array::String(_)))
            | (Self::IntArray, Value::Array(Array::I64(_)))
            | (Self::DoubleArray, Value::Array(Array::F64(_)))
            | (Self::BooleanArray, Value::Array(Array::Bool(_))) => true,
            (Self::Enum(values), Value::String(s)) => values.contains(&s.as_str()),
            _ => false,
        }
    }

    /// The registry's name for the type.
    pub fn name(self) -> String {
        match self {
            Self::String => "string".to_owned(),
            Self::Int => "int".to_owned(),
            Self::Double => "double".to_owned(),
            Self::Boolean => "boolean".to_owned(),
            Self::StringArray => "string[]".to_owned(),
            Self::IntArray => "int[]".to_owned(),
            Self::DoubleArray => "double[]".to_owned(),
            Self::BooleanArray => "boolean[]".to_owned(),
            Self::Enum(values) => format!("enum {values:?}"),
        }
    }
}

/// How strongly a span needs an attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// Always present.
    Required,
    /// Present when its condition holds.
    ConditionallyRequired,
    /// Present when known.
    Recommended,
    /// Present only when asked for.
    OptIn,
}

/// A declared attribute.
#[derive(Debug)]
pub struct AttributeDef {
    /// The key.
    pub key: &'static str,
    /// Its type.
    pub ty: AttributeType,
    /// What it means.
    pub brief: &'static str,
    /// Its default requirement level.
    pub requirement: Requirement,
    /// Must never appear on a span.
    pub never_record: bool,
    /// Changes between runs (span-tree snapshots show only its type).
    pub volatile: bool,
    /// For never-record attributes: the tracers that handle such values.
    pub tracers: &'static [&'static str],
    /// The registry group.
    pub group: &'static str,
    /// The registry file.
    pub file: &'static str,
}

/// A declared span.
#[derive(Debug)]
pub struct SpanDef {
    /// The span name.
    pub name: &'static str,
    /// Its kind.
    pub kind: SpanKind,
    /// What it covers.
    pub brief: &'static str,
    /// The tracers that emit it.
    pub tracers: &'static [&'static str],
    /// Referenced attributes with their requirement on this span.
    pub attributes: &'static [(&'static str, Requirement)],
    /// The registry group.
    pub group: &'static str,
    /// The registry file.
    pub file: &'static str,
}

/// A declared event.
#[derive(Debug)]
pub struct EventDef {
    /// The event name.
    pub name: &'static str,
    /// What it records.
    pub brief: &'static str,
    /// Its attributes.
    pub attributes: &'static [&'static str],
    /// The registry group.
    pub group: &'static str,
    /// The registry file.
    pub file: &'static str,
}

/// Every declared attribute, sorted by key.
pub fn attributes() -> &'static [AttributeDef] {
    ATTRIBUTES
}

/// Every declared span, sorted by name.
pub fn spans() -> &'static [SpanDef] {
    SPANS
}

/// Every declared event, sorted by name.
pub fn events() -> &'static [EventDef] {
    EVENTS
}

/// The attribute declared with `key`.
///
/// # Examples
/// ```
/// let def = floe_telemetry::conventions::attribute("alert.channel").unwrap();
/// assert_eq!(def.file, "alert.yaml");
/// assert!(floe_telemetry::conventions::attribute("alert.webhook_url").unwrap().never_record);
/// ```
pub fn attribute(key: &str) -> Option<&'static AttributeDef> {
    ATTRIBUTES.binary_search_by(|a| a.key.cmp(key)).ok().map(|i| &ATTRIBUTES[i])
}

/// The span declared with `name`.
pub fn span(name: &str) -> Option<&'static SpanDef> {
    SPANS.binary_search_by(|s| s.name.cmp(name)).ok().map(|i| &SPANS[i])
}

/// The event declared with `name`.
pub fn event(name: &str) -> Option<&'static EventDef> {
    EVENTS.binary_search_by(|e| e.name.cmp(name)).ok().map(|i| &EVENTS[i])
}
