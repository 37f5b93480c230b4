//! `span-wrapper` (SC-003): spans are made by `#[traced]` or the floe-telemetry domain span
//! (`DomainSpan`, `in_span`, `in_span_async`, re-exported by floe-core), never by a
//! crate's own wrapper, tracer or attribute macro. Outside floe-telemetry (the span
//! layer), floe-core (the category span shapes), floe-macros and the testkit, flagged in
//! non-test code:
//! - the OpenTelemetry span API: a method call `start`, `start_with_context`,
//!   `span_builder`, `build_with_context` or `in_span` in a file that imports the
//!   `opentelemetry::trace::Tracer` trait (a method of a trait resolves only when the
//!   trait is in scope), and the fully qualified form `Tracer::start(..)`;
//!   `SpanBuilder::from_name(..)`;
//! - getting a tracer: `global::tracer(..)`, `global::tracer_provider(..)`, importing
//!   `opentelemetry::global::tracer`, and a method call `tracer` / `tracer_with_scope` on
//!   a receiver naming `TracerFactory`, or in a file whose non-test code imports
//!   `TracerFactory` or the `TracerProvider` trait;
//! - attribute macros: any `#[proc_macro_attribute]`, and `tracing`'s `#[instrument]`;
//! - `tracing` spans: `span!`, `info_span!`, `debug_span!`, `trace_span!`, `warn_span!`,
//!   `error_span!`, written `tracing::..!` or imported from `tracing`;
//! - a local runner: a function with a closure or future parameter (a generic bound or
//!   `impl` type naming `Fn`, `FnOnce`, `FnMut`, an `AsyncFn` trait or `Future`) whose
//!   body calls `DomainSpan::start*`, and a `macro_rules!` whose body does; both
//!   reimplement `in_span`.
//!
//! Not flagged: a helper that only passes a closure on to `in_span`/`in_span_async`
//! (floe-telemetry still opens and ends the span), and a function returning a `DomainSpan` it
//! started with the plugin's attributes. Known limits: methods are matched by name, so in
//! a file importing `Tracer` an unrelated `.start()` is flagged too (move the `Tracer`
//! import out, which the rule wants anyway); a trait imported under a re-export with
//! another name, or through a glob of a module other than `opentelemetry::trace`, is
//! not seen, nor is `.tracer(..)` on a factory whose type is written only as a full
//! path in a parameter.

use crate::exemptions::{Site, is_exempt};
use crate::facts::{At, Facts, PathUse};
use crate::finding::Finding;
use crate::tokens;
use crate::workspace::{Member, SourceFile, Workspace};

use super::RULE_SPAN_WRAPPER as RULE;

const FIX: &str = "trace the operation with `#[floe_core::traced]` or `floe_core::telemetry::{DomainSpan, in_span, in_span_async}` (named by the plugin's operation enum, tracer TRACER_NAME); never build tracers or spans locally";

const SPAN_METHODS: &[&str] =
    &["start", "start_with_context", "span_builder", "build_with_context", "in_span"];

const TRACING_SPAN_MACROS: &[&str] =
    &["span", "info_span", "debug_span", "trace_span", "warn_span", "error_span"];

/// The findings.
pub(super) fn check(workspace: &Workspace) -> Vec<Finding> {
    let mut out = Vec::new();
    for member in &workspace.members {
        for file in &member.files {
            check_file(member, file, &mut out);
        }
    }
    out
}

/// Whether non-test code imports a path ending with `suffix`.
fn imports(facts: &Facts, suffix: &[&str]) -> bool {
    facts.imports.iter().any(|i| !i.at.in_test && i.ends_with(suffix))
}

fn imports_trace_glob(facts: &Facts) -> bool {
    imports(facts, &["opentelemetry", "trace", "*"])
}

fn check_file(member: &Member, file: &SourceFile, out: &mut Vec<Finding>) {
    let Some(ast) = file.syntax() else { return };
    let facts = Facts::of(ast);
    let mut flag = |at: &At, message: String| {
        let site = Site {
            package: &member.name,
            path: &file.path,
            test_code: file.test_code || at.in_test,
            item: at.item.as_deref(),
        };
        if !is_exempt(RULE, site) {
            out.push(Finding::new(file.path.clone(), at.line, RULE, message, FIX));
        }
    };
    let tracer_trait = imports(&facts, &["trace", "Tracer"]) || imports_trace_glob(&facts);
    let tracer_source = imports(&facts, &["TracerFactory"])
        || imports(&facts, &["trace", "TracerProvider"])
        || imports_trace_glob(&facts);

    for call in &facts.method_calls {
        let name = call.name.as_str();
        if tracer_trait && SPAN_METHODS.contains(&name) {
            flag(
                &call.at,
                format!("`.{name}(..)` starts a span with the OpenTelemetry `Tracer` API (SC-003)"),
            );
        }
        let from_factory = tracer_source || call.receiver.iter().any(|r| r == "TracerFactory");
        if from_factory && matches!(name, "tracer" | "tracer_with_scope") {
            flag(
                &call.at,
                format!(
                    "`.{name}(..)` gets a tracer directly instead of using the domain span (SC-003)"
                ),
            );
        }
    }
    for call in &facts.calls {
        check_path_call(call, &mut flag);
    }
    for import in facts.imports.iter().filter(|i| i.ends_with(&["global", "tracer"])) {
        flag(&import.at, "imports `opentelemetry::global::tracer` (SC-003)".to_owned());
    }
    for attr in &facts.attributes {
        if attr.last() == "proc_macro_attribute" {
            flag(
                &attr.at,
                "defines an attribute macro; `#[traced]` is the one instrumentation macro (SC-003)"
                    .to_owned(),
            );
        } else if attr.segments == ["instrument"] || attr.segments == ["tracing", "instrument"] {
            flag(
                &attr.at,
                "`#[instrument]` makes a `tracing` span outside the domain span (SC-003)"
                    .to_owned(),
            );
        }
    }
    for mac in &facts.macros {
        let name = mac.last();
        let from_tracing = mac.segments.first().is_some_and(|s| s == "tracing")
            || (mac.segments.len() == 1
                && (imports(&facts, &["tracing", name]) || imports(&facts, &["tracing", "*"])));
        if TRACING_SPAN_MACROS.contains(&name) && from_tracing {
            flag(
                &mac.at,
                format!("`{name}!` makes a `tracing` span outside the domain span (SC-003)"),
            );
        }
    }
    for function in facts.functions.iter().filter(|f| f.takes_closure) {
        let starts = facts.calls.iter().any(|c| {
            c.at.item.as_deref() == Some(function.name.as_str()) && starts_domain_span(&c.segments)
        });
        if starts {
            flag(
                &function.at,
                format!(
                    "`{}` takes a closure and starts a DomainSpan: a local span runner reimplementing `in_span` (SC-003)",
                    function.name
                ),
            );
        }
    }
    let tokens = tokens::of_text(&file.text).unwrap_or_default();
    for (name, line, body) in tokens::macro_rules(&tokens) {
        if tokens::paths(&body).iter().any(|(segments, _)| starts_domain_span(segments)) {
            let at = At { line, item: None, in_test: false };
            flag(
                &at,
                format!("`macro_rules! {name}` starts a DomainSpan: a local span macro (SC-003)"),
            );
        }
    }
}

fn starts_domain_span(segments: &[String]) -> bool {
    segments.len() >= 2
        && segments[segments.len() - 2] == "DomainSpan"
        && segments[segments.len() - 1].starts_with("start")
}

fn check_path_call(call: &PathUse, flag: &mut impl FnMut(&At, String)) {
    let segments = &call.segments;
    let pairs = segments.windows(2);
    for pair in pairs {
        let (owner, name) = (pair[0].as_str(), pair[1].as_str());
        let message = match (owner, name) {
            ("Tracer", n) if SPAN_METHODS.contains(&n) => {
                format!("`Tracer::{n}(..)` starts a span with the OpenTelemetry API (SC-003)")
            }
            ("SpanBuilder", "from_name") => {
                "`SpanBuilder::from_name(..)` builds a span by hand (SC-003)".to_owned()
            }
            ("global", "tracer" | "tracer_provider") => {
                format!("`global::{name}(..)` gets a tracer outside TracerFactory (SC-003)")
            }
            ("TracerFactory", "tracer") => {
                "`TracerFactory::tracer(..)` gets a tracer directly instead of using the domain span (SC-003)".to_owned()
            }
            _ => continue,
        };
        flag(&call.at, message);
    }
}
