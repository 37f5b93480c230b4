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
mod contract;
mod errors;
mod expectation;
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

/// Every finding of every rule, sorted by place.
pub(crate) fn check(workspace: &Workspace) -> Vec<Finding> {
    let mut findings = parse_failures(workspace);
    tracing_rules(workspace, &mut findings);
    findings.extend(tracer::check(workspace));
    findings.extend(errors::check(workspace));
    findings.extend(wrappers::check(workspace));
    findings.extend(contract::check(workspace));
    findings.sort();
    findings.dedup();
    findings
}

/// The tracing-test rules of every plugin not excluded from them.
fn tracing_rules(workspace: &Workspace, findings: &mut Vec<Finding>) {
    let registry = &workspace.registry;
    let assertions = assertions::Assertions::of(workspace);
    let ops = inventory::ops(registry);
    let keys = inventory::keys(registry);
    let tracers: std::collections::BTreeMap<String, String> = workspace
        .members
        .iter()
        .filter_map(|m| tracer::tracer_name(m).map(|t| (m.name.replace('-', "_"), t)))
        .collect();
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
        tracing_tests::check_plugin(plugin, &cx, check_assertions, findings);
    }
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
    excluded: Vec<Excluded>,
    inventory: Vec<inventory::PluginTelemetry>,
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
    let findings = check(&workspace);
    let excluded = excluded(&workspace);
    let mut stdout = std::io::stdout().lock();
    if json {
        let report = JsonReport {
            inventory: inventory::inventory(&workspace),
            findings: findings.clone(),
            excluded,
        };
        serde_json::to_writer_pretty(&mut stdout, &report).context("writing the report")?;
        writeln!(stdout).context("writing the report")?;
    } else {
        let mut text = finding::render(&findings);
        for e in &excluded {
            let _ = writeln!(text, "note: {}: excluded by policy: {}", e.package, e.reason);
        }
        let _ = writeln!(
            text,
            "audit-coverage: {} plugins, {} excluded by policy, {} findings",
            workspace.plugins().count(),
            excluded.len(),
            findings.len()
        );
        stdout.write_all(text.as_bytes()).context("writing the report")?;
    }
    Ok(findings.is_empty())
}
