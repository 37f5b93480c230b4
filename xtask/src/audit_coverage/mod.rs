//! `cargo xtask audit-coverage [--format json]`: proves every plugin's instrumentation
//! is tested and that nothing bypasses floe-telemetry's sanitized span API.
//!
//! Plugins are the workspace members under `plugins/`, found through `cargo metadata`.
//! Sources are read with `syn` and at token level, never with text search, so comments
//! and string literals never match. Each rule is a pure function of a [`Workspace`]; its
//! module documents exactly what it flags and its known limits:
//! - `tracing-test` ([`tracing_tests`], [`test_code`]): `tests/it/tracing.rs` exists, is
//!   declared plainly (no `#[path]`, no `#[cfg]`) by `tests/it/main.rs`, and holds a
//!   `#[test]`/`#[tokio::test]`; no tracing test is `#[should_panic]` or behind a
//!   `#[cfg]`;
//! - `tracing-assertion` ([`tracing_tests`], [`reach`]): each of those tests reaches a
//!   testkit assertion ([`assertions`], derived from the testkit's source), directly or
//!   through a helper, in code that runs;
//! - `operation-ok`, `operation-error`, `failure-mode` ([`coverage`],
//!   [`failure_modes`]): every operation of a plugin is asserted ok and error by its
//!   tracing tests, and every failure mode of it by a test that drives it there. Enforced
//!   on the workspace only when [`OPERATION_COVERAGE_ENFORCED`] is on; the gaps are
//!   printed either way;
//! - `tracer-name` ([`tracer`]): `src/telemetry.rs` declares `TRACER_NAME` and the
//!   metadata passes it to `.with_tracer_name(..)` (SC-001);
//! - `raw-error-recording` ([`errors`]): no error status or exception event is written
//!   outside floe-telemetry's `record_failure` (SC-004);
//! - `span-wrapper` ([`wrappers`]): no local span wrapper, tracer or attribute macro
//!   (SC-003);
//! - `contract-row` ([`contract`]): every plugin has a listed, linked contract row
//!   (FR-022);
//! - `parse`: every file parses (a file the rules cannot read is a finding, not a pass).
//!
//! Exemptions, telemetry backends among them, are in [`crate::exemptions::EXEMPTIONS`];
//! the report names every plugin excluded by policy.

mod assertions;
mod code;
mod contract;
mod coverage;
mod errors;
mod expectation;
mod failure_modes;
mod inventory;
mod reach;
mod test_code;
mod tracer;
mod tracing_tests;
mod wrappers;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_coverage;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use serde::Serialize;

use crate::exemptions::{Site, is_exempt};
use crate::finding::{self, Finding};
use crate::workspace::Workspace;

pub(crate) const RULE_TRACING_TEST: &str = "tracing-test";
pub(crate) const RULE_TRACING_ASSERTION: &str = "tracing-assertion";
pub(crate) const RULE_TRACER_NAME: &str = "tracer-name";
pub(crate) const RULE_RAW_ERROR: &str = "raw-error-recording";
pub(crate) const RULE_SPAN_WRAPPER: &str = "span-wrapper";
pub(crate) const RULE_CONTRACT_ROW: &str = "contract-row";
pub(crate) const RULE_PARSE: &str = "parse";
pub(crate) const RULE_OPERATION_OK: &str = "operation-ok";
pub(crate) const RULE_OPERATION_ERROR: &str = "operation-error";
pub(crate) const RULE_FAILURE_MODE: &str = "failure-mode";

/// Roll-out switch of `operation-ok`, `operation-error` and `failure-mode` on the
/// workspace: while it is `false`, their findings on the workspace are printed as gaps
/// and do not fail `cargo xtask audit-coverage` (or `cargo test -p xtask`). On since every
/// plugin closed its gaps (103 when the rules landed); the rules' fixture tests enforce
/// them whatever its value.
pub(crate) const OPERATION_COVERAGE_ENFORCED: bool = true;

/// The audit's result.
#[derive(Debug)]
pub(crate) struct Audit {
    /// Findings that fail the audit, sorted by place.
    pub(crate) findings: Vec<Finding>,
    /// Operation-coverage findings that do not fail it (roll-out switch off), sorted.
    pub(crate) gaps: Vec<Finding>,
    /// Who asserts each operation of each plugin.
    pub(crate) coverage: Vec<coverage::PluginCoverage>,
}

/// Every finding of every rule, sorted by place; operation-coverage findings only when
/// [`OPERATION_COVERAGE_ENFORCED`].
#[cfg(test)]
pub(crate) fn check(workspace: &Workspace) -> Vec<Finding> {
    audit(workspace, OPERATION_COVERAGE_ENFORCED).findings
}

/// Runs every rule; operation-coverage findings are findings when `enforce_operations`,
/// else gaps.
pub(crate) fn audit(workspace: &Workspace, enforce_operations: bool) -> Audit {
    let mut findings = parse_failures(workspace);
    let mut gaps = Vec::new();
    let coverage = tracing_and_coverage(workspace, &mut findings, &mut gaps);
    findings.extend(tracer::check(workspace));
    findings.extend(errors::check(workspace));
    findings.extend(wrappers::check(workspace));
    findings.extend(contract::check(workspace));
    if enforce_operations {
        findings.append(&mut gaps);
    }
    for list in [&mut findings, &mut gaps] {
        list.sort();
        list.dedup();
    }
    Audit { findings, gaps, coverage }
}

/// The tracing-test rules, then operation coverage of every plugin that has a tracer.
fn tracing_and_coverage(
    workspace: &Workspace,
    findings: &mut Vec<Finding>,
    gaps: &mut Vec<Finding>,
) -> Vec<coverage::PluginCoverage> {
    let registry = &workspace.registry;
    let assertions = assertions::Assertions::of(workspace);
    let ops = inventory::ops(registry);
    let keys = inventory::keys(registry);
    let tracers: std::collections::BTreeMap<String, String> = workspace
        .members
        .iter()
        .filter_map(|m| tracer::tracer_name(m).map(|t| (m.name.replace('-', "_"), t)))
        .collect();
    let sites = failure_modes::Sites::of(workspace, &ops);
    let mut table = Vec::new();
    for plugin in workspace.plugins() {
        if crate::exemptions::package_exemption(RULE_TRACING_TEST, &plugin.name).is_some() {
            continue;
        }
        let tree = test_code::TestTree::of(plugin);
        let own = tracer::tracer_name(plugin);
        let cx = reach::Context {
            tree: &tree,
            assertions: &assertions,
            ops: &ops,
            keys: &keys,
            tracers: &tracers,
            own_tracer: own.as_deref(),
        };
        let check_assertions =
            crate::exemptions::package_exemption(RULE_TRACING_ASSERTION, &plugin.name).is_none();
        let walked = tracing_tests::check_plugin(plugin, &cx, check_assertions, findings);
        let Some(tracer) = own.as_deref() else { continue };
        let input = coverage::Plugin {
            member: plugin,
            tracer,
            code_spans: inventory::code_spans(plugin, &ops),
            tests: &walked,
        };
        table.push(coverage::plugin_coverage(&input, registry, &sites, gaps));
    }
    table
}

fn parse_failures(workspace: &Workspace) -> Vec<Finding> {
    let mut out = Vec::new();
    for member in &workspace.members {
        for file in &member.files {
            let site = Site {
                package: &member.name,
                path: &file.path,
                test_code: file.test_code,
                item: None,
            };
            let Err((line, message)) = &file.ast else { continue };
            if is_exempt(RULE_PARSE, site) {
                continue;
            }
            out.push(Finding::new(
                file.path.clone(),
                *line,
                RULE_PARSE,
                format!("cannot parse: {message}"),
                "fix the syntax error; a file the audit cannot read proves nothing",
            ));
        }
    }
    out
}

/// A plugin excluded from rules by policy, for the report.
#[derive(Debug, Serialize)]
struct Excluded {
    package: String,
    reason: &'static str,
}

#[derive(Debug, Serialize)]
struct JsonReport {
    findings: Vec<Finding>,
    /// Operation-coverage findings not enforced yet (roll-out switch off).
    gaps: Vec<Finding>,
    operation_coverage_enforced: bool,
    excluded: Vec<Excluded>,
    inventory: Vec<inventory::PluginTelemetry>,
    coverage: Vec<coverage::PluginCoverage>,
}

fn excluded(workspace: &Workspace) -> Vec<Excluded> {
    workspace
        .plugins()
        .filter_map(|p| {
            crate::exemptions::package_exemption(RULE_TRACER_NAME, &p.name)
                .map(|e| Excluded { package: p.name.clone(), reason: e.reason })
        })
        .collect()
}

/// Runs the audit on the workspace at `root` and prints the report; returns whether it
/// found nothing.
///
/// # Errors
/// On a bad argument, or when the workspace or the registry cannot be read.
pub(crate) fn run(root: &Path, args: &[String]) -> Result<bool> {
    let json = match args {
        [] => false,
        [flag, format] if flag == "--format" && format == "json" => true,
        [flag, format] if flag == "--format" && format == "text" => false,
        _ => bail!("usage: cargo xtask audit-coverage [--format text|json]"),
    };
    let workspace = Workspace::load(root)?;
    let Audit { findings, gaps, coverage } = audit(&workspace, OPERATION_COVERAGE_ENFORCED);
    let excluded = excluded(&workspace);
    let mut stdout = std::io::stdout().lock();
    let passed = findings.is_empty();
    if json {
        let report = JsonReport {
            inventory: inventory::inventory(&workspace),
            findings,
            gaps,
            operation_coverage_enforced: OPERATION_COVERAGE_ENFORCED,
            excluded,
            coverage,
        };
        serde_json::to_writer_pretty(&mut stdout, &report).context("writing the report")?;
        writeln!(stdout).context("writing the report")?;
    } else {
        let mut text = String::from("operation coverage per plugin:\n");
        text.push_str(&coverage::render(&coverage));
        text.push_str(&finding::render(&findings));
        if !gaps.is_empty() {
            let _ = writeln!(
                text,
                "{} operation-coverage gaps, reported but not failing (OPERATION_COVERAGE_ENFORCED is false in xtask/src/audit_coverage/mod.rs):",
                gaps.len()
            );
            for gap in &gaps {
                let _ = writeln!(text, "gap: {gap}");
            }
        }
        for e in &excluded {
            let _ = writeln!(text, "note: {}: excluded by policy: {}", e.package, e.reason);
        }
        let _ = writeln!(
            text,
            "audit-coverage: {} plugins, {} excluded by policy, {} findings, {} gaps not enforced",
            workspace.plugins().count(),
            excluded.len(),
            findings.len(),
            gaps.len()
        );
        stdout.write_all(text.as_bytes()).context("writing the report")?;
    }
    Ok(passed)
}
