//! `contract-row` (FR-022): every plugin is in the contract suite. That takes three
//! things, each checked:
//! - a row: a `Row { package: "floe-..", .. }` struct expression with that package as a
//!   string literal, in a file under `contract-tests/tests/`;
//! - the row listed: the row file's module name appears in the `contract_suite! { .. }`
//!   invocation;
//! - the plugin linked: `contract-tests` has it under `[dependencies]`, so it registers.
//!
//! Known limit: a row defined in the same file as `contract_suite!` counts as listed only
//! when that file's module name appears in the invocation; rows live in `rows/<name>.rs`.

use std::collections::BTreeMap;
use std::collections::BTreeSet;

use crate::facts::{Arg, Facts};
use crate::finding::Finding;
use crate::manifest::{self, DepKind};
use crate::tokens;
use crate::workspace::Workspace;

use super::RULE_CONTRACT_ROW as RULE;

const CONTRACT: &str = "contract-tests";

/// Where a plugin's row is.
struct RowAt {
    path: String,
    module: String,
}

/// The findings.
pub(super) fn check(workspace: &Workspace) -> Vec<Finding> {
    let plugins: Vec<_> = workspace.plugins().collect();
    if plugins.is_empty() {
        return Vec::new();
    }
    let Some(contract) = workspace.member(CONTRACT) else {
        return plugins
            .iter()
            .map(|p| {
                Finding::new(
                    p.path_of("Cargo.toml"),
                    1,
                    RULE,
                    format!("{} is in no contract suite: the workspace has no contract-tests member (FR-022)", p.name),
                    "add the contract-tests crate and give this plugin a row",
                )
            })
            .collect();
    };
    let mut rows: BTreeMap<String, RowAt> = BTreeMap::new();
    let mut suite: Option<(String, usize, BTreeSet<String>)> = None;
    for file in contract.files.iter().filter(|f| f.local.starts_with("tests/")) {
        let Some(ast) = file.syntax() else { continue };
        let facts = Facts::of(ast);
        for row in facts.structs.iter().filter(|s| s.last() == "Row") {
            for (field, value) in &row.args {
                if let (true, Arg::Str(package)) = (field == "package", value) {
                    let module =
                        file.local.rsplit('/').next().unwrap_or_default().trim_end_matches(".rs");
                    rows.insert(
                        package.clone(),
                        RowAt { path: file.path.clone(), module: module.to_owned() },
                    );
                }
            }
        }
        if let Some(mac) = facts.macros.iter().find(|m| m.last() == "contract_suite") {
            let names = tokens::idents(&mac.tokens).into_iter().map(|(i, _)| i).collect();
            suite = Some((file.path.clone(), mac.at.line, names));
        }
    }
    let dependencies_line = manifest::sections(&contract.manifest)
        .iter()
        .find(|s| s.name == "dependencies")
        .map_or(1, |s| s.line);
    let mut out = Vec::new();
    for plugin in plugins {
        let stem = plugin.name.trim_start_matches("floe-").replace('-', "_");
        match rows.get(&plugin.name) {
            None => out.push(Finding::new(
                plugin.path_of("Cargo.toml"),
                1,
                RULE,
                format!("{} has no row in the contract suite (FR-022)", plugin.name),
                format!(
                    "add contract-tests/tests/it/rows/{stem}.rs with `pub(crate) const ROW: Row = Row {{ package: \"{}\", succeed, fail }}` (a real operation that succeeds, one that fails with the planted secret), declare it in rows/mod.rs and list `{stem} => rows::{stem}::ROW` in contract_suite!",
                    plugin.name
                ),
            )),
            Some(row) => {
                let listed = suite.as_ref().is_some_and(|(_, _, names)| names.contains(&row.module));
                if !listed {
                    let (path, line) = suite.as_ref().map_or_else(
                        || (contract.path_of("tests/it/main.rs"), 1),
                        |(path, line, _)| (path.clone(), *line),
                    );
                    out.push(Finding::new(
                        path,
                        line,
                        RULE,
                        format!("the row of {} in {} is not listed in contract_suite!, so no contract runs on it (FR-022)", plugin.name, row.path),
                        format!("list `{0} => rows::{0}::ROW` in contract_suite!", row.module),
                    ));
                }
            }
        }
        if contract.depends_on(&plugin.name, DepKind::Normal).is_none() {
            out.push(Finding::new(
                contract.path_of("Cargo.toml"),
                dependencies_line,
                RULE,
                format!("contract-tests does not depend on {}, so the plugin is not linked and never registers (FR-022)", plugin.name),
                format!(
                    "add `{0} = {{ workspace = true }}` to contract-tests' [dependencies] (with `{0} = {{ path = \"{1}\" }}` in the root [workspace.dependencies])",
                    plugin.name, plugin.dir
                ),
            ));
        }
    }
    out
}
