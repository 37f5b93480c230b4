//! What a tracing test expects of a span, as far as its syntax tells: the values the
//! reachability walk ([`super::reach`]) computes for expressions, and how the testkit's
//! builder methods (`expect::span(..)`, `.ok()`, `.error_containing(..)`, `.attr(..)`,
//! `.scope(..)`, `expect::tree(..).child(..)`) change a span expectation.
//!
//! Only what the operation-coverage rule reads is kept: the span name, the instrumentation
//! scope, the status, the error texts (`error_containing`, `error_description`,
//! `exception_message_containing`), the exception types and the attributes with a string
//! value. Every other builder method leaves the expectation as it is.

use serde::Serialize;

/// A status a span expectation requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    /// `.ok()`.
    Ok,
    /// `.error()`, `.error_containing(..)`, `.error_description(..)`.
    Error,
    /// `.unset()`.
    Unset,
}

/// What `.scope(..)` expects.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum SpanScope {
    /// No `.scope(..)`: any tracer.
    #[default]
    Any,
    /// This tracer.
    Is(String),
    /// A value the walk cannot read.
    Unknown,
}

/// One span expectation passed to an assertion.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Expectation {
    /// The span name, when it is a literal or a registry operation.
    pub(crate) name: Option<String>,
    /// `.scope(..)`.
    pub(crate) scope: SpanScope,
    /// The required status.
    pub(crate) status: Option<Status>,
    /// Literal pieces of the expected error description or exception message.
    pub(crate) texts: Vec<String>,
    /// `.exception(..)` type texts.
    pub(crate) exceptions: Vec<String>,
    /// `.attr(key, value)`: the key, and the value when it is a string.
    pub(crate) attrs: Vec<(String, Option<String>)>,
    /// The line of `expect::span`.
    pub(crate) line: usize,
}

/// What the walk knows about an expression's value.
#[derive(Clone)]
pub(crate) enum Value {
    /// Nothing useful.
    Unknown,
    /// A string: its literal pieces, and whether it is exactly one literal.
    Text {
        /// The literal pieces (`format!` gives the text between placeholders).
        pieces: Vec<String>,
        /// Whether the value is exactly `pieces[0]`.
        exact: bool,
    },
    /// One of several exact strings: a loop variable over literal rows.
    Choice(Vec<String>),
    /// The rows of an array literal of tuples (or of single values).
    Rows(Vec<Vec<Value>>),
    /// An attribute key (`attr::ALERT_DELIVERY_STATUS`).
    Key(String),
    /// An operation (`AlertOp::Send`), by span name.
    Op(String),
    /// Span expectations: one, a tree (root first), or a list.
    Spans(Vec<Expectation>),
    /// A closure not called yet.
    Closure(Box<syn::ExprClosure>),
    /// An `async` block not awaited yet.
    Future(Box<syn::Block>),
}

impl Value {
    /// An exact string.
    pub(crate) fn text(s: impl Into<String>) -> Self {
        Self::Text { pieces: vec![s.into()], exact: true }
    }

    /// The exact string, if the value is one.
    pub(crate) fn exact(&self) -> Option<&str> {
        match self {
            Self::Text { pieces, exact: true } => pieces.first().map(String::as_str),
            _ => None,
        }
    }

    /// The literal pieces of a string value (every alternative of a choice).
    pub(crate) fn pieces(&self) -> Vec<String> {
        match self {
            Self::Text { pieces, .. } | Self::Choice(pieces) => {
                pieces.iter().filter(|p| !p.is_empty()).cloned().collect()
            }
            _ => Vec::new(),
        }
    }

    /// The exact strings the value can be.
    pub(crate) fn alternatives(&self) -> Vec<String> {
        match self {
            Self::Choice(all) => all.clone(),
            other => other.exact().map(str::to_owned).into_iter().collect(),
        }
    }

    /// The two values of two branches: span expectations are joined, anything else is
    /// the first known one.
    pub(crate) fn join(self, other: Self) -> Self {
        match (self, other) {
            (Self::Spans(mut a), Self::Spans(b)) => {
                a.extend(b);
                Self::Spans(a)
            }
            (Self::Unknown, b) => b,
            (a, _) => a,
        }
    }
}

/// `expect::span(name)`.
pub(crate) fn span(name: &Value, line: usize) -> Value {
    Value::Spans(vec![Expectation {
        name: name.exact().map(str::to_owned),
        line,
        ..Expectation::default()
    }])
}

/// Applies builder `method` with `args` to `spans` (the root is the first).
pub(crate) fn apply(mut spans: Vec<Expectation>, method: &str, args: &[Value]) -> Vec<Expectation> {
    if method == "child" {
        if let Some(Value::Spans(children)) = args.first() {
            spans.extend(children.iter().cloned());
        }
        return spans;
    }
    let Some(root) = spans.first_mut() else { return spans };
    let first = args.first().cloned().unwrap_or(Value::Unknown);
    match method {
        "ok" => root.status = Some(Status::Ok),
        "unset" => root.status = Some(Status::Unset),
        "error" => root.status = Some(Status::Error),
        "error_containing" | "error_description" => {
            root.status = Some(Status::Error);
            root.texts.extend(first.pieces());
        }
        "exception_message_containing" => root.texts.extend(first.pieces()),
        "exception" => root.exceptions.extend(first.pieces()),
        "scope" => {
            root.scope = first.exact().map_or(SpanScope::Unknown, |s| SpanScope::Is(s.to_owned()));
        }
        "attr" => {
            let key = match &first {
                Value::Key(key) => Some(key.clone()),
                other => other.exact().map(str::to_owned),
            };
            if let Some(key) = key {
                let values = args.get(1).map(Value::alternatives).unwrap_or_default();
                if values.is_empty() {
                    root.attrs.push((key.clone(), None));
                }
                for value in values {
                    root.attrs.push((key.clone(), Some(value)));
                }
            }
        }
        _ => {}
    }
    spans
}

/// The fixed pieces of a format string: the text between `{..}` placeholders, trimmed,
/// at least six characters long.
pub(crate) fn format_pieces(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut depth = 0_usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                current.push('{');
            }
            '}' if depth == 0 && chars.peek() == Some(&'}') => {
                chars.next();
                current.push('}');
            }
            '{' => {
                depth += 1;
                pieces.push(std::mem::take(&mut current));
            }
            '}' => depth = depth.saturating_sub(1),
            _ if depth == 0 => current.push(c),
            _ => {}
        }
    }
    pieces.push(current);
    pieces.into_iter().map(|p| p.trim().to_owned()).filter(|p| p.chars().count() >= 6).collect()
}

#[cfg(test)]
mod tests {
    use super::format_pieces;

    #[test]
    fn fixed_pieces_are_the_long_text_between_placeholders() {
        assert_eq!(format_pieces("{action} failed: {}"), ["failed:"]);
        assert_eq!(format_pieces("dbt {command} wrote no {file}"), ["wrote no"]);
        assert_eq!(format_pieces("{{literal}} and {x}"), ["{literal} and"]);
    }
}
