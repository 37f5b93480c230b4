//! How an expectation reads in a failure message.

use std::fmt;

use super::attrs::describe_all;
use super::{EventExpectation, ExceptionExpectation, SpanExpectation, StatusExpectation};

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
        #[cfg(feature = "floe")]
        if self.floe_attributes {
            write!(f, "\n  FloeSpanAttributes (floe.namespace)")?;
        }
        for event in &self.events {
            write!(f, "\n  event {}", event.describe())?;
        }
        if let Some((sequence, exact)) = &self.event_sequence {
            let listed: Vec<String> = sequence.iter().map(EventExpectation::describe).collect();
            let how = if *exact { "exactly" } else { "in this order" };
            write!(f, "\n  events {how}: {}", listed.join(", "))?;
        }
        for (event, count) in &self.event_counts {
            write!(f, "\n  {count} events {}", event.describe())?;
        }
        for name in &self.absent_events {
            write!(f, "\n  no event {name:?}")?;
        }
        for link in &self.links {
            write!(f, "\n  {}", link.describe())?;
        }
        if let Some(count) = self.link_count {
            write!(f, "\n  {count} links")?;
        }
        if let Some(parent) = &self.parent {
            write!(f, "\n  parent: {}", parent.describe())?;
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

impl fmt::Display for EventExpectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event {:?}{}", self.name, describe_all(&self.attrs))
    }
}
