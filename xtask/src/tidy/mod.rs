//! `cargo xtask tidy`: the rules of docs/conventions.md the compiler does not check.
//!
//! - `doc-header`: every `.rs` file opens with a `//!` line (plain `//` lines before it,
//!   such as a generated-file notice, are allowed);
//! - `lints`: every member's `Cargo.toml` says `[lints] workspace = true` and nothing
//!   else under `[lints]`;
//! - `plugin-module`: no crate root (`src/lib.rs`, `src/main.rs`) declares a root-level
//!   `mod tracing`, which would shadow the `tracing` crate (the plugin module is
//!   `telemetry`);
//! - `testkit-dependency`: `floe-otel-testkit` is never under a member's
//!   `[dependencies]` or `[build-dependencies]`, only `[dev-dependencies]`;
//! - `ignore`, `dbg`, `todo`: no `#[ignore]` (nor `cfg_attr(.., ignore)`), `dbg!` or
//!   `todo!` anywhere, tests included; found in tokens, so comments and strings never
//!   match;
//! - `file-size`: no file over 800 lines unless exempt;
//! - `codegen`: the generated code and `docs/telemetry.md` equal what the telemetry
//!   registry generates (the check of `cargo xtask codegen --check`).
//!
//! Exemptions are in [`crate::exemptions::EXEMPTIONS`].

#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use proc_macro2::{Delimiter, TokenStream, TokenTree};

use crate::exemptions::{Site, is_exempt};
use crate::finding::{self, Finding};
use crate::manifest::{self, DepKind};
use crate::tokens::{self, Form};
use crate::workspace::{Member, SourceFile, Workspace};

/// The longest a file may be without an exemption.
const MAX_LINES: usize = 800;

const TESTKIT: &str = "floe-otel-testkit";

/// Every finding on the workspace description (everything but `codegen`).
pub(crate) fn check(workspace: &Workspace) -> Vec<Finding> {
    let mut out = Vec::new();
    for member in &workspace.members {
        check_manifest(member, &mut out);
        for file in &member.files {
            let site = Site {
                package: &member.name,
                path: &file.path,
                test_code: file.test_code,
                item: None,
            };
            let mut flag = |rule: &'static str, line: usize, message: String, fix: &str| {
                if !is_exempt(rule, site) {
                    out.push(Finding::new(file.path.clone(), line, rule, message, fix));
                }
            };
            check_header(file, &mut flag);
            check_size(file, &mut flag);
            check_tokens(file, &mut flag);
            check_root_module(file, &mut flag);
        }
    }
    out.sort();
    out
}

/// Every finding on the workspace at `root`, `codegen` included.
///
/// # Errors
/// When the workspace or the registry cannot be read, or rustfmt fails.
pub(crate) fn findings(root: &Path) -> Result<Vec<Finding>> {
    let mut out = check(&Workspace::load(root)?);
    out.extend(stale_generated(root)?);
    out.sort();
    Ok(out)
}

/// A finding per generated file that differs from what the registry generates.
///
/// # Errors
/// When the registry cannot be read or rustfmt fails.
fn stale_generated(root: &Path) -> Result<Vec<Finding>> {
    let mut paths = crate::codegen::stale(root)?;
    paths.sort_unstable();
    Ok(paths
        .into_iter()
        .map(|path| {
            Finding::new(
                path,
                1,
                "codegen",
                "stale: differs from what the telemetry registry generates",
                "run `cargo xtask codegen` and commit the result with the registry change",
            )
        })
        .collect())
}

/// Runs tidy on the workspace at `root`; returns whether it found nothing.
///
/// # Errors
/// On a bad argument, or see [`findings`].
pub(crate) fn run(root: &Path, args: &[String]) -> Result<bool> {
    if !args.is_empty() {
        bail!("usage: cargo xtask tidy");
    }
    let found = findings(root)?;
    let mut text = finding::render(&found);
    let _ = writeln!(text, "tidy: {} findings", found.len());
    std::io::stdout().lock().write_all(text.as_bytes()).context("writing the report")?;
    Ok(found.is_empty())
}

fn check_manifest(member: &Member, out: &mut Vec<Finding>) {
    let path = member.path_of("Cargo.toml");
    let site = Site { package: &member.name, path: &path, test_code: false, item: None };
    let sections = manifest::sections(&member.manifest);
    let lints = sections.iter().find(|s| s.name == "lints");
    let fix = "end the manifest with `[lints]` / `workspace = true`; per-crate changes go in lib.rs as `#![warn(..)]` or `#[expect(.., reason = \"..\")]`";
    let problem = match lints {
        None => {
            Some((1, "has no `[lints]` section, so the workspace lints do not apply".to_owned()))
        }
        Some(s)
            if !(s.entries.len() == 1
                && s.entries[0].key == "workspace"
                && s.entries[0].value == "true") =>
        {
            Some((s.line, "`[lints]` must hold exactly `workspace = true`".to_owned()))
        }
        Some(_) => sections
            .iter()
            .find(|s| s.name.starts_with("lints."))
            .map(|s| (s.line, format!("`[{}]` overrides the workspace lints", s.name))),
    };
    if let Some((line, message)) = problem
        && !is_exempt("lints", site)
    {
        out.push(Finding::new(path.clone(), line, "lints", message, fix));
    }
    for dependency in &member.dependencies {
        if dependency.name == TESTKIT
            && dependency.kind != DepKind::Dev
            && !is_exempt("testkit-dependency", site)
        {
            out.push(Finding::new(
                path.clone(),
                dependency.line,
                "testkit-dependency",
                format!("{} depends on {TESTKIT} outside [dev-dependencies], so it would ship the test harness", member.name),
                "move it to [dev-dependencies]; code that uses the testkit lives under tests/",
            ));
        }
    }
}

fn check_header(file: &SourceFile, flag: &mut impl FnMut(&'static str, usize, String, &str)) {
    // Blank lines and plain `//` comments (a generated-file notice) may come first.
    let is_preamble = |l: &str| {
        l.is_empty() || (l.starts_with("//") && !l.starts_with("//!") && !l.starts_with("///"))
    };
    let first = file.text.lines().enumerate().find(|(_, l)| !is_preamble(l.trim_start()));
    match first {
        Some((_, line)) if line.trim_start().starts_with("//!") => {}
        found => flag(
            "doc-header",
            found.map_or(1, |(index, _)| index + 1),
            "the file does not open with a `//!` line saying what the module is for".to_owned(),
            "start the file with `//! <what this module is for>`",
        ),
    }
}

fn check_size(file: &SourceFile, flag: &mut impl FnMut(&'static str, usize, String, &str)) {
    let lines = file.text.lines().count();
    if lines > MAX_LINES {
        flag(
            "file-size",
            MAX_LINES + 1,
            format!("{lines} lines, over the {MAX_LINES}-line limit"),
            "split the file by concept (`audit/scan.rs`, `audit/report.rs`), never into utils.rs; generated files go on the exemption list with a reason",
        );
    }
}

fn check_tokens(file: &SourceFile, flag: &mut impl FnMut(&'static str, usize, String, &str)) {
    let Some(stream) = tokens::of_text(&file.text) else { return };
    for call in tokens::calls(&stream) {
        if call.form == Form::Macro && matches!(call.name.as_str(), "dbg" | "todo") {
            let (rule, fix) = if call.name == "dbg" {
                ("dbg", "remove it; assert on the value, or print it in a test with a message")
            } else {
                (
                    "todo",
                    "finish the code, or return an error naming what is missing and add a FIXME(#issue)",
                )
            };
            flag(rule, call.line, format!("`{}!` left in the code", call.name), fix);
        }
    }
    for line in ignore_attributes(&stream) {
        flag(
            "ignore",
            line,
            "`#[ignore]` hides a test from `cargo test`".to_owned(),
            "assert today's behaviour instead and add a `FIXME(#issue)` saying what should change",
        );
    }
}

/// The lines of `#[ignore]`, `#[ignore = ".."]` and `#[cfg_attr(.., ignore)]`.
fn ignore_attributes(stream: &TokenStream) -> Vec<usize> {
    let mut out = Vec::new();
    let trees: Vec<TokenTree> = stream.clone().into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        let TokenTree::Group(group) = tree else { continue };
        let after_hash =
            i > 0 && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '#');
        if after_hash && group.delimiter() == Delimiter::Bracket {
            let inner: Vec<TokenTree> = group.stream().into_iter().collect();
            match inner.first() {
                Some(TokenTree::Ident(name)) if name == "ignore" => {
                    out.push(finding::line_of(name.span()));
                }
                Some(TokenTree::Ident(name)) if name == "cfg_attr" => {
                    if let Some(TokenTree::Group(args)) = inner.get(1) {
                        for arg in args.stream() {
                            if let TokenTree::Ident(word) = arg
                                && word == "ignore"
                            {
                                out.push(finding::line_of(word.span()));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        out.extend(ignore_attributes(&group.stream()));
    }
    out
}

fn check_root_module(file: &SourceFile, flag: &mut impl FnMut(&'static str, usize, String, &str)) {
    if !matches!(file.local.as_str(), "src/lib.rs" | "src/main.rs") {
        return;
    }
    let Some(ast) = file.syntax() else { return };
    for item in &ast.items {
        if let syn::Item::Mod(module) = item
            && module.ident == "tracing"
        {
            flag(
                "plugin-module",
                finding::line_of(module.ident.span()),
                "a root-level `mod tracing` shadows the `tracing` crate in this crate".to_owned(),
                "name the module `telemetry` (src/telemetry.rs)",
            );
        }
    }
}
