//! Conditions on attribute values and texts, and the attribute methods that spans, events
//! and links share.

use std::fmt::{self, Write as _};
use std::sync::Arc;

use opentelemetry::{Key, KeyValue, Value};
use regex::Regex;

use crate::spans::last_attr;

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

    /// A regex matcher.
    ///
    /// # Panics
    /// When `pattern` is not a valid regular expression; the message names the method.
    #[track_caller]
    pub(crate) fn regex(pattern: &str, method: &str) -> Self {
        Self::Matches(
            Regex::new(pattern)
                .unwrap_or_else(|e| panic!("invalid pattern {pattern:?} in {method}: {e}")),
        )
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

/// Whether every `(key, matcher)` holds on `attributes`.
pub(crate) fn all_match(matchers: &[(Key, AttrMatcher)], attributes: &[KeyValue]) -> bool {
    matchers.iter().all(|(key, matcher)| matcher.is_match(last_attr(attributes, key)))
}

/// ` key: = 3, other: present` for messages.
pub(crate) fn describe_all(matchers: &[(Key, AttrMatcher)]) -> String {
    let mut out = String::new();
    for (key, matcher) in matchers {
        let _ = write!(out, " {key}: {}", matcher.describe());
    }
    out
}

/// The attribute methods of an expectation type with an `attrs` field: equal, containing,
/// matching a regex, satisfying a labelled predicate, present, absent.
macro_rules! attribute_methods {
    ($what:literal) => {
        #[doc = concat!("The ", $what, " has attribute `key` equal to `value` (typed: `3_i64` is not `\"3\"`).")]
        #[must_use]
        pub fn attr(
            mut self,
            key: impl Into<opentelemetry::Key>,
            value: impl Into<opentelemetry::Value>,
        ) -> Self {
            self.attrs.push((key.into(), $crate::expect::AttrMatcher::Equals(value.into())));
            self
        }

        #[doc = concat!("The ", $what, " has a string attribute `key` containing `text`.")]
        #[must_use]
        pub fn attr_contains(
            mut self,
            key: impl Into<opentelemetry::Key>,
            text: impl Into<String>,
        ) -> Self {
            self.attrs.push((
                key.into(),
                $crate::expect::AttrMatcher::Text($crate::expect::TextMatcher::Contains(
                    text.into(),
                )),
            ));
            self
        }

        #[doc = concat!("The ", $what, " has a string attribute `key` matching the regular expression `pattern` (anywhere in the value; anchor it with `^…$`).")]
        ///
        /// # Panics
        /// When `pattern` is not a valid regular expression.
        #[must_use]
        #[track_caller]
        pub fn attr_matches(mut self, key: impl Into<opentelemetry::Key>, pattern: &str) -> Self {
            let matcher = $crate::expect::TextMatcher::regex(pattern, "attr_matches");
            self.attrs.push((key.into(), $crate::expect::AttrMatcher::Text(matcher)));
            self
        }

        #[doc = concat!("The ", $what, "'s attribute `key` satisfies `predicate`; `label` says what it checks in failure messages.")]
        #[must_use]
        pub fn attr_satisfies(
            mut self,
            key: impl Into<opentelemetry::Key>,
            label: impl Into<String>,
            predicate: impl Fn(&opentelemetry::Value) -> bool + Send + Sync + 'static,
        ) -> Self {
            self.attrs.push((
                key.into(),
                $crate::expect::AttrMatcher::Predicate(
                    label.into(),
                    ::std::sync::Arc::new(predicate),
                ),
            ));
            self
        }

        #[doc = concat!("The ", $what, " has attribute `key`, any value.")]
        #[must_use]
        pub fn has_attr(mut self, key: impl Into<opentelemetry::Key>) -> Self {
            self.attrs.push((key.into(), $crate::expect::AttrMatcher::Present));
            self
        }

        #[doc = concat!("The ", $what, " does not have attribute `key`.")]
        #[must_use]
        pub fn no_attr(mut self, key: impl Into<opentelemetry::Key>) -> Self {
            self.attrs.push((key.into(), $crate::expect::AttrMatcher::Absent));
            self
        }
    };
}

pub(crate) use attribute_methods;
