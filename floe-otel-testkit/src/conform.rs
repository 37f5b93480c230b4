//! Conformance (feature `floe`): every captured span checked against floe's telemetry
//! registry (`packages/floe-telemetry/registry/*.yaml`).
//!
//! Each attribute is checked against the span's own registry group (the attributes its
//! `span` group references, the platform identity of `registry.floe` every floe span
//! carries, and `error.type` on failure), not against the whole registry: an attribute
//! declared for another operation is a violation on this one. Each event's attributes are
//! checked against that event's group.

use std::fmt;

use floe_telemetry::conventions::{self, Requirement};
use opentelemetry::KeyValue;
use opentelemetry_sdk::trace::SpanData;

use crate::spans::{CapturedSpans, last_attr};

/// Tracer names starting with this are test tracers: their spans are checked like any
/// other, except that the registry need not list them as an emitter.
pub const TEST_TRACER_PREFIX: &str = "floe.test.";

/// One way a span breaks the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The span's name.
    pub span: String,
    /// What is wrong, naming the key and the registry entry.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "span {:?}: {}", self.span, self.message)
    }
}

/// The attributes any floe span may carry whatever its group: the `registry.floe` group
/// (`FloeSpanAttributes`, `floe.cancelled`, `floe.instrumentation.error`) and `error.type`.
fn on_every_span(key: &str) -> bool {
    key == "error.type"
        || conventions::attribute(key).is_some_and(|def| def.group == "registry.floe")
}

/// Where attributes are checked: against one group's list (a declared span's or event's),
/// or against the whole registry (a span the registry does not declare).
enum Allowed<'a> {
    Group { keys: Vec<&'a str>, group: &'a str, file: &'a str },
    Anywhere,
}

fn check_attributes(
    span: &SpanData,
    what: &str,
    attributes: &[KeyValue],
    allowed: &Allowed<'_>,
    out: &mut Vec<Violation>,
) {
    let violation = |message: String| Violation { span: span.name.to_string(), message };
    for kv in attributes {
        let key = kv.key.as_str();
        match conventions::attribute(key) {
            None => out.push(violation(format!(
                "{what}attribute {key:?} is not declared in the registry (declare it in packages/floe-telemetry/registry/)"
            ))),
            Some(def) if def.never_record => out.push(violation(format!(
                "{what}attribute {key:?} must never be recorded (registry {} group {})",
                def.file, def.group
            ))),
            Some(def) if !def.ty.accepts(&kv.value) => out.push(violation(format!(
                "{what}attribute {key:?} = {} does not have the declared type {} (registry {} group {})",
                crate::render::value(&kv.value),
                def.ty.name(),
                def.file,
                def.group
            ))),
            Some(def) => {
                if let Allowed::Group { keys, group, file } = allowed
                    && !keys.contains(&key)
                {
                    out.push(violation(format!(
                        "{what}attribute {key:?} (declared in registry {} group {}) is not one of this {}'s attributes: registry {file} group {group} does not reference it",
                        def.file,
                        def.group,
                        if what.is_empty() { "span" } else { "event" },
                    )));
                }
            }
        }
    }
}

/// Every violation of `span`.
pub fn check(span: &SpanData) -> Vec<Violation> {
    let mut out = Vec::new();
    let violation = |message: String| Violation { span: span.name.to_string(), message };
    let scope = span.instrumentation_scope.name();
    let declared = conventions::span(&span.name);
    match declared {
        None => out.push(violation(format!(
            "the span name is not declared in the registry (add a span group with annotations.floe.span_name: {})",
            span.name
        ))),
        Some(def) => {
            if def.kind != span.span_kind {
                out.push(violation(format!(
                    "kind is {:?}, registry {} group {} declares {:?}",
                    span.span_kind, def.file, def.group, def.kind
                )));
            }
            if !scope.starts_with(TEST_TRACER_PREFIX) && !def.tracers.contains(&scope) {
                out.push(violation(format!(
                    "comes from tracer {scope:?}, which registry {} group {} does not list in annotations.floe.tracers {:?}",
                    def.file, def.group, def.tracers
                )));
            }
            for (key, requirement) in def.attributes {
                if *requirement == Requirement::Required && last_attr(&span.attributes, &opentelemetry::Key::from(*key)).is_none() {
                    out.push(violation(format!("required attribute {key:?} is missing (registry {} group {})", def.file, def.group)));
                }
            }
        }
    }
    if last_attr(&span.attributes, &floe_telemetry::attr::FLOE_NAMESPACE).is_none() {
        out.push(violation(
            "required attribute \"floe.namespace\" (FloeSpanAttributes, FR-019) is missing"
                .to_owned(),
        ));
    }
    let allowed = declared.map_or(Allowed::Anywhere, |def| {
        let mut keys: Vec<&str> = def.attributes.iter().map(|(key, _)| *key).collect();
        keys.extend(
            span.attributes.iter().map(|kv| kv.key.as_str()).filter(|key| on_every_span(key)),
        );
        Allowed::Group { keys, group: def.group, file: def.file }
    });
    check_attributes(span, "", &span.attributes, &allowed, &mut out);
    for event in span.events.iter() {
        match conventions::event(&event.name) {
            None => out
                .push(violation(format!("event {:?} is not declared in the registry", event.name))),
            Some(def) => check_attributes(
                span,
                &format!("event {:?} ", event.name),
                &event.attributes,
                &Allowed::Group { keys: def.attributes.to_vec(), group: def.group, file: def.file },
                &mut out,
            ),
        }
    }
    out
}

impl CapturedSpans {
    /// Every registry violation of every captured span.
    pub fn violations(&self) -> Vec<Violation> {
        self.all().iter().flat_map(check).collect()
    }

    /// Asserts that every captured span conforms to the telemetry registry: its name is
    /// declared (with that kind, for that tracer), every attribute key and event is
    /// declared with its type, required attributes (and `floe.namespace`) are present,
    /// and no never-record attribute appears.
    ///
    /// # Panics
    /// Listing every violation, each naming the span, the key and the registry entry.
    ///
    /// # Examples
    /// ```should_panic
    /// use floe_otel_testkit::Capture;
    /// use floe_telemetry::{DomainSpan, ops::AlertOp};
    ///
    /// let capture = Capture::start();
    /// // Fails with: span "alert.send": required attribute "alert.channel" is missing (registry alert.yaml group span.alert.send)
    /// DomainSpan::start("floe.alert.slack", AlertOp::Send).succeed();
    /// capture.assert_conforms();
    /// ```
    #[track_caller]
    pub fn assert_conforms(&self) {
        self.precheck("assert_conforms", true);
        self.fail_on(&self.violations());
    }

    /// Asserts that every span of the tracer `scope` conforms, as
    /// [`assert_conforms`](Self::assert_conforms) does; spans of other tracers (a test's
    /// own caller spans, a fixture's) are not checked.
    ///
    /// # Panics
    /// Listing every violation of that tracer's spans, or when it made no span at all.
    ///
    /// # Examples
    /// ```
    /// use floe_otel_testkit::Capture;
    /// use floe_telemetry::{DomainSpan, TracerFactory};
    /// use floe_telemetry::ops::CompileOp;
    /// use opentelemetry::trace::{Span as _, Tracer as _};
    ///
    /// let capture = Capture::start();
    /// // a test's own step, which no registry declares, is not checked
    /// TracerFactory::global().tracer("floe.test.caller").start("my.test.step").end();
    /// DomainSpan::start("floe.core", CompileOp::Load).succeed();
    /// capture.assert_conforms_in("floe.core");
    /// ```
    #[track_caller]
    pub fn assert_conforms_in(&self, scope: &str) {
        self.precheck("assert_conforms_in", false);
        let spans: Vec<&SpanData> =
            self.all().iter().filter(|span| span.instrumentation_scope.name() == scope).collect();
        if spans.is_empty() {
            self.fail_plain(&format!("no span of the tracer {scope:?} was captured"));
        }
        self.fail_on(&spans.into_iter().flat_map(check).collect::<Vec<_>>());
    }

    #[track_caller]
    fn fail_on(&self, violations: &[Violation]) {
        if !violations.is_empty() {
            let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
            self.fail_plain(&format!(
                "captured spans do not conform to the telemetry registry:\n  {}",
                list.join("\n  ")
            ));
        }
    }
}
