//! `operation-ok`, `operation-error` and `failure-mode`: every operation of a plugin is
//! asserted by a tracing test with status ok and by one with status error, and every
//! failure mode of it by a test that drives the plugin into that failure.
//!
//! **Operations** of a plugin: the registry spans whose `tracers` annotation names the
//! plugin's `TRACER_NAME`, and the spans its own code refers to ([`super::inventory`]).
//! The registry is what gives the alert, dbt and quality plugins their operations: their
//! spans start in floe-core and floe-dbt.
//!
//! **Tracing tests**: the tests of `tests/it/tracing.rs` and of the modules it declares,
//! that run and can fail ([`super::test_code`]). Tests elsewhere never count.
//!
//! **A test asserts operation X with status S** when, in code its body reaches
//! ([`super::reach`]), it passes to a testkit assertion that checks a presence (not an
//! `assert_no*` one, not `assert_count(.., 0)`) a span expectation built by
//! `expect::span(<X as a literal, a constant, or XOp::Variant.span_name()>)`, through any
//! chain of builder calls, helpers, variables and `expect::tree(..).child(..)`, whose
//! status is set by `.ok()` (S = ok) or `.error()`, `.error_containing(..)`,
//! `.error_description(..)` (S = error), and whose `.scope(..)`, if any, is the plugin's
//! tracer (a scope that cannot be read is accepted). `.exception(..)` alone sets no
//! status. `expect_no_spans()` builds no expectation, so it never counts.
//!
//! **Failure modes** are enumerated from the code ([`super::failure_modes`]). A test
//! asserts one when an expectation of X with status error in it also has:
//! - for `fail_soft("<reason>")`: `.exception(t)` with `t` part of the reason, or
//!   `.attr(attr::ERROR_TYPE, "<reason>")`;
//! - for `E::V`: an error text (`error_containing`, `error_description`,
//!   `exception_message_containing`) that V's `#[error("..")]` format string (the inner
//!   type's when V is transparent) explains best among E's variants: laid over a
//!   rendering of it (placeholders match anything, the text may start and end anywhere),
//!   the characters of the text it matches to literal characters, less those it leaves
//!   outside the message, are at least eight and the most among E's variants; or,
//!   anywhere in code the test reaches, a pattern naming `E::V`
//!   (`matches!(error, E::V { .. })`, a `match` arm, `let E::V(..) = error else { .. }`);
//! - for an outcome `key=value`: `.attr(attr::KEY, "value")`.
//!
//! Limits: a test's text is known only when it is a literal, a constant, a loop
//! variable over literal rows, or the fixed pieces of a `format!`; a message made only of
//! placeholders (`"{0}"`) can only be matched by a pattern; the test is not checked to
//! drive that very failure, only to assert the span's error and name the mode.
//!
//! An operation that cannot fail, or a mode that cannot happen, is exempted in
//! `exemptions.rs` (rules `operation-error`, `failure-mode`) with the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use super::expectation::{Expectation, SpanScope, Status};
use super::failure_modes::{Located, Mode, OUTCOMES, Sites};
use super::tracing_tests::Walked;
use super::{RULE_FAILURE_MODE, RULE_OPERATION_ERROR, RULE_OPERATION_OK};
use crate::codegen::const_name;
use crate::exemptions::operation_exemption;
use crate::finding::Finding;
use crate::registry::{AttrType, Registry};
use crate::workspace::Member;

/// One plugin's operations and who asserts them.
#[derive(Debug, Serialize)]
pub(crate) struct PluginCoverage {
    /// The package.
    pub(crate) package: String,
    /// Its tracer.
    pub(crate) tracer: String,
    /// Its operations, by span name.
    pub(crate) operations: Vec<OperationCoverage>,
}

/// One operation.
#[derive(Debug, Serialize)]
pub(crate) struct OperationCoverage {
    /// The span name.
    pub(crate) span: String,
    /// The tests asserting it with status ok.
    pub(crate) ok: Vec<String>,
    /// The tests asserting it with status error.
    pub(crate) error: Vec<String>,
    /// Why it need not be asserted ok, if exempt.
    pub(crate) ok_exempt: Option<&'static str>,
    /// Why it need not be asserted error (it cannot fail), if exempt.
    pub(crate) error_exempt: Option<&'static str>,
    /// Its failure modes.
    pub(crate) failure_modes: Vec<ModeCoverage>,
}

/// One failure mode.
#[derive(Debug, Serialize)]
pub(crate) struct ModeCoverage {
    /// The mode.
    pub(crate) mode: Mode,
    /// Its id (`unhealthy`, `Enum::Variant`, `key=value`).
    pub(crate) id: String,
    /// Where the code or registry defines it.
    pub(crate) at: String,
    /// The tests asserting it.
    pub(crate) tests: Vec<String>,
    /// Why it need not be asserted, if exempt.
    pub(crate) exempt: Option<&'static str>,
}

/// What the rule reads about one plugin.
pub(crate) struct Plugin<'a> {
    /// The member.
    pub(crate) member: &'a Member,
    /// Its tracer.
    pub(crate) tracer: &'a str,
    /// The spans its code refers to.
    pub(crate) code_spans: BTreeSet<String>,
    /// Its walked tracing tests.
    pub(crate) tests: &'a [Walked],
}

/// The coverage table of `plugin`, and its gaps as findings.
pub(crate) fn plugin_coverage(
    plugin: &Plugin<'_>,
    registry: &Registry,
    sites: &Sites<'_>,
    out: &mut Vec<Finding>,
) -> PluginCoverage {
    let mut operations: BTreeSet<String> = registry
        .spans
        .values()
        .filter(|s| s.tracers.iter().any(|t| t == plugin.tracer))
        .map(|s| s.name.clone())
        .collect();
    operations.extend(plugin.code_spans.iter().cloned());
    let tests: Vec<&Walked> = plugin.tests.iter().filter(|w| w.test.counts).collect();
    let tracing_rs = plugin.member.path_of("tests/it/tracing.rs");
    let mut coverage = PluginCoverage {
        package: plugin.member.name.clone(),
        tracer: plugin.tracer.to_owned(),
        operations: Vec::new(),
    };
    for op in operations {
        let with = |status: Status| -> Vec<String> {
            tests
                .iter()
                .filter(|w| expectations(w, &op, plugin.tracer).any(|e| e.status == Some(status)))
                .map(|w| w.test.name.clone())
                .collect()
        };
        let exempt =
            |rule: &str| operation_exemption(rule, plugin.tracer, &op, None).map(|e| e.reason);
        let entry = OperationCoverage {
            ok: with(Status::Ok),
            error: with(Status::Error),
            ok_exempt: exempt(RULE_OPERATION_OK),
            error_exempt: exempt(RULE_OPERATION_ERROR),
            failure_modes: modes(plugin, registry, sites, &op, &tests),
            span: op.clone(),
        };
        if entry.ok.is_empty() && entry.ok_exempt.is_none() {
            out.push(Finding::new(
                tracing_rs.clone(),
                1,
                RULE_OPERATION_OK,
                format!("{}: operation `{op}` is asserted with status ok by no tracing test", plugin.member.name),
                format!("drive `{op}` to success in a test of tests/it/tracing.rs and assert it: `capture.assert_one(expect::span(\"{op}\").ok().attr(attr::KEY, value))`"),
            ));
        }
        if entry.error.is_empty() && entry.error_exempt.is_none() {
            out.push(Finding::new(
                tracing_rs.clone(),
                1,
                RULE_OPERATION_ERROR,
                format!("{}: operation `{op}` is asserted with status error by no tracing test", plugin.member.name),
                format!("drive `{op}` into a failure against its peer in a test of tests/it/tracing.rs and assert it: `capture.assert_one(expect::span(\"{op}\").error_containing(\"<what the span says>\"))`; if it cannot fail, exempt it in xtask/src/exemptions.rs (rule `operation-error`) with the reason"),
            ));
        }
        for mode in entry.failure_modes.iter().filter(|m| m.tests.is_empty() && m.exempt.is_none())
        {
            let (path, line) = mode
                .at
                .rsplit_once(':')
                .map_or((mode.at.clone(), 1), |(p, l)| (p.to_owned(), l.parse().unwrap_or(1)));
            out.push(Finding::new(
                path,
                line,
                RULE_FAILURE_MODE,
                format!(
                    "{}: failure mode {} of `{op}` is asserted by no tracing test",
                    plugin.member.name, mode.mode
                ),
                mode_fix(&op, &mode.mode, sites),
            ));
        }
        coverage.operations.push(entry);
    }
    coverage
}

fn expectations<'a>(
    walked: &'a Walked,
    op: &'a str,
    tracer: &'a str,
) -> impl Iterator<Item = &'a Expectation> {
    walked.reached.expectations.iter().filter(move |e| {
        e.name.as_deref() == Some(op)
            && match &e.scope {
                SpanScope::Any | SpanScope::Unknown => true,
                SpanScope::Is(scope) => scope == tracer,
            }
    })
}

fn modes(
    plugin: &Plugin<'_>,
    registry: &Registry,
    sites: &Sites<'_>,
    op: &str,
    tests: &[&Walked],
) -> Vec<ModeCoverage> {
    let mut located = sites.modes(&plugin.member.name, op);
    located.extend(outcomes(registry, op));
    let mut by_mode: BTreeMap<Mode, Located> = BTreeMap::new();
    for l in located {
        by_mode.entry(l.mode.clone()).or_insert(l);
    }
    by_mode
        .into_values()
        .map(|l| {
            let asserting = tests
                .iter()
                .filter(|w| {
                    expectations(w, op, plugin.tracer)
                        .filter(|e| e.status == Some(Status::Error))
                        .any(|e| asserts_mode(e, w, &l.mode, sites))
                })
                .map(|w| w.test.name.clone())
                .collect();
            ModeCoverage {
                id: l.mode.id(),
                exempt: operation_exemption(
                    RULE_FAILURE_MODE,
                    plugin.tracer,
                    op,
                    Some(&l.mode.id()),
                )
                .map(|e| e.reason),
                at: format!("{}:{}", l.path, l.line),
                tests: asserting,
                mode: l.mode,
            }
        })
        .collect()
}

/// The outcome-attribute failure values the registry gives span `op`.
fn outcomes(registry: &Registry, op: &str) -> Vec<Located> {
    let Some(span) = registry.spans.get(op) else { return Vec::new() };
    let mut out = Vec::new();
    for (key, successes) in OUTCOMES {
        if !span.attributes.iter().any(|(k, _)| k == key) {
            continue;
        }
        let Some(AttrType::Enum(values)) = registry.attributes.get(*key).map(|a| &a.ty) else {
            continue;
        };
        for value in values.iter().filter(|v| !successes.contains(&v.as_str())) {
            out.push(Located {
                mode: Mode::Outcome { key: (*key).to_owned(), value: value.clone() },
                path: format!("{}/{}", crate::registry::REGISTRY_DIR, span.file),
                line: 1,
            });
        }
    }
    out
}

fn asserts_mode(e: &Expectation, walked: &Walked, mode: &Mode, sites: &Sites<'_>) -> bool {
    match mode {
        Mode::Soft { reason } => {
            e.exceptions.iter().any(|t| !t.is_empty() && reason.contains(t.as_str()))
                || e.attrs.iter().any(|(k, v)| k == "error.type" && v.as_deref() == Some(reason))
        }
        Mode::Variant { error, variant } => {
            let named = walked
                .reached
                .patterns
                .iter()
                .any(|p| p.ends_with(&[error.clone(), variant.clone()]));
            named || e.texts.iter().any(|text| sites.explaining(error, text).contains(variant))
        }
        Mode::Outcome { key, value } => {
            e.attrs.iter().any(|(k, v)| k == key && v.as_deref() == Some(value.as_str()))
        }
    }
}

fn mode_fix(op: &str, mode: &Mode, sites: &Sites<'_>) -> String {
    let how = match mode {
        Mode::Soft { reason } => {
            format!("`capture.assert_one(expect::span(\"{op}\").error().exception(\"{reason}\"))`")
        }
        Mode::Variant { error, variant } => {
            let text = sites
                .templates(error, variant)
                .iter()
                .flat_map(|t| super::expectation::format_pieces(t))
                .next()
                .unwrap_or_else(|| "<its message>".to_owned());
            format!(
                "`capture.assert_one(expect::span(\"{op}\").error_containing(\"{text}\"))`, or `.error()` together with `assert!(matches!(error, {error}::{variant} {{ .. }}))` on the returned error"
            )
        }
        Mode::Outcome { key, value } => format!(
            "`capture.assert_one(expect::span(\"{op}\").error().attr(attr::{}, \"{value}\"))`",
            const_name(key)
        ),
    };
    format!(
        "drive the plugin into {mode} against its peer in a test of tests/it/tracing.rs and assert it: {how}; if it cannot happen, exempt it in xtask/src/exemptions.rs (rule `failure-mode`, mode `{}`) with the reason",
        mode.id()
    )
}

/// The coverage of every plugin as text: one table per plugin.
pub(crate) fn render(coverage: &[PluginCoverage]) -> String {
    let mut text = String::new();
    for plugin in coverage {
        let _ = writeln!(text, "{} (tracer {})", plugin.package, plugin.tracer);
        let rows: Vec<[String; 4]> = plugin
            .operations
            .iter()
            .flat_map(|op| {
                let column =
                    move |tests: &[String], exempt: Option<&str>| match (tests.len(), exempt) {
                        (0, Some(_)) => "exempt".to_owned(),
                        (0, None) => "MISSING".to_owned(),
                        (n, _) => n.to_string(),
                    };
                let names = |label: &str, tests: &[String]| {
                    if tests.is_empty() {
                        String::new()
                    } else {
                        format!("{label}: {}", tests.join(", "))
                    }
                };
                let tests = [names("ok", &op.ok), names("error", &op.error)]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("; ");
                let head = [
                    op.span.clone(),
                    column(&op.ok, op.ok_exempt),
                    column(&op.error, op.error_exempt),
                    tests,
                ];
                std::iter::once(head).chain(op.failure_modes.iter().map(move |m| {
                    [
                        format!("  {}", m.mode),
                        String::new(),
                        column(&m.tests, m.exempt),
                        m.tests.join(", "),
                    ]
                }))
            })
            .collect();
        let header = [
            "operation / failure mode".to_owned(),
            "ok".to_owned(),
            "error".to_owned(),
            "asserted by".to_owned(),
        ];
        let widths: Vec<usize> = (0..3)
            .map(|i| rows.iter().chain([&header]).map(|r| r[i].chars().count()).max().unwrap_or(0))
            .collect();
        for row in std::iter::once(&header).chain(&rows) {
            let _ = writeln!(
                text,
                "  {:w0$}  {:w1$}  {:w2$}  {}",
                row[0],
                row[1],
                row[2],
                row[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            );
        }
    }
    text
}
