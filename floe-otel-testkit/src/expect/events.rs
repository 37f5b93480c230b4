//! The event checks of a span expectation: some event, events in order, exactly these
//! events, counted events, no event of a name.

use std::fmt::Write as _;

use opentelemetry_sdk::trace::SpanData;

use super::attrs::describe_all;
use super::check::{Check, event_matches};
use super::{EventExpectation, SpanExpectation};

pub(super) fn event_checks(
    expectation: &SpanExpectation,
    span: &SpanData,
    checks: &mut Vec<Check>,
) {
    for event in &expectation.events {
        let candidates: Vec<_> = span.events.iter().filter(|e| e.name == event.name).collect();
        let passed = candidates.iter().any(|e| event_matches(event, e));
        let actual = if candidates.is_empty() {
            names(span)
        } else {
            let described: Vec<_> = candidates
                .iter()
                .map(|e| crate::render::attributes_inline(&e.attributes))
                .collect();
            described.join("; ")
        };
        checks.push(Check::new(format!("event {}", event.describe()), passed, actual));
    }
    if let Some((sequence, exact)) = &expectation.event_sequence {
        let passed = if *exact {
            sequence.len() == span.events.len()
                && sequence.iter().zip(span.events.iter()).all(|(want, e)| event_matches(want, e))
        } else {
            let mut next = 0;
            for event in span.events.iter() {
                if next < sequence.len() && event_matches(&sequence[next], event) {
                    next += 1;
                }
            }
            next == sequence.len()
        };
        let listed: Vec<String> = sequence.iter().map(EventExpectation::describe).collect();
        let field = if *exact { "events exactly" } else { "events in this order" };
        checks.push(Check::new(format!("{field}: {}", listed.join(", ")), passed, detailed(span)));
    }
    for (event, count) in &expectation.event_counts {
        let actual = span.events.iter().filter(|e| event_matches(event, e)).count();
        checks.push(Check::new(
            format!("{count} events {}", event.describe()),
            actual == *count,
            format!("{actual} such events; {}", names(span)),
        ));
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

/// `events: ["a", "b"]`.
fn names(span: &SpanData) -> String {
    let names: Vec<&str> = span.events.iter().map(|e| e.name.as_ref()).collect();
    format!("events: {names:?}")
}

/// `events: ["a", "b"]`, then each event with its attributes.
fn detailed(span: &SpanData) -> String {
    let mut out = names(span);
    for event in span.events.iter().filter(|e| !e.attributes.is_empty()) {
        let _ = write!(
            out,
            "\n           {:?} {{{}}}",
            event.name,
            crate::render::attributes_inline(&event.attributes)
        );
    }
    out
}

impl EventExpectation {
    /// `"retry" attempt: = 2` for messages.
    pub(crate) fn describe(&self) -> String {
        format!("{:?}{}", self.name, describe_all(&self.attrs))
    }
}
