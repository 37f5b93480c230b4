//! `tracing-test` and `tracing-assertion` (FR-020, FR-021, SC-002, SC-007): every plugin
//! has `tests/it/tracing.rs`, declared by `tests/it/main.rs`, holding tests, and every
//! test there calls a testkit assertion, directly or through a helper.
//!
//! The assertions are the testkit's public `assert_*` functions and exported `assert_*`
//! macros, read from its source ([`super::assertions`]), never a hand-kept list.
//!
//! Read at token level, so tests inside `proptest! {}` and calls inside `assert!(..)` are
//! seen. A helper is any function or `macro_rules!` defined in a file of the plugin's
//! `tests/` tree; it asserts when its body calls an assertion or an asserting helper. A
//! call resolves to a helper by name: a bare call to one in the same file (else in any
//! test file), `module::name(..)` to one in `module.rs`, a method call to a method (a
//! function whose first parameter is `self`) and a macro to a `macro_rules!` of that name
//! anywhere in the test binary. A helper that shadows an assertion's name
//! must itself assert. Known limit: resolution is by name, not by type, so an unrelated
//! method that happens to be named like an assertion (`x.assert_one(..)` on a type of
//! the plugin's own) is taken for the testkit's.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;

use super::RULE_TRACING_ASSERTION as ASSERTION;
use super::RULE_TRACING_TEST as TEST;
use super::assertions::Assertions;
use crate::exemptions::package_exemption;
use crate::finding::Finding;
use crate::tokens::{self, Call, Form};
use crate::workspace::{Member, Workspace};

pub(crate) const FIX_FILE: &str = "write tests/it/tracing.rs (and `mod tracing;` in tests/it/main.rs) with one #[test] per operation and failure mode: drive the real operation under `let capture = Capture::start();`, then `capture.assert_one(expect::span(\"<category>.<operation>\").floe_attributes().attr(attr::KEY, value).ok())`, `.error_containing(..)` on failure, and `capture.assert_no_secret(planted)`";

pub(crate) const FIX_ASSERT: &str = "assert on the captured spans with the testkit: `capture.assert_one(expect::span(\"<category>.<operation>\").attr(attr::KEY, value).error_containing(..))`, `capture.assert_tree(..)`, `capture.assert_no_secret(planted)` or `assert_span_tree!`; counting spans or starting a Capture proves nothing";

/// What a helper is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A free or associated function.
    Function,
    /// A method (first parameter `self`).
    Method,
    /// A `macro_rules!` macro.
    Macro,
}

/// A function or macro in the plugin's test tree.
struct Helper {
    module: String,
    name: String,
    kind: Kind,
    body: TokenStream,
}

/// The findings of both rules.
pub(super) fn check(workspace: &Workspace) -> Vec<Finding> {
    let assertions = Assertions::of(workspace);
    let mut out = Vec::new();
    for plugin in workspace.plugins() {
        if package_exemption(TEST, &plugin.name).is_some() {
            continue;
        }
        let check_assertions = package_exemption(ASSERTION, &plugin.name).is_none();
        check_plugin(plugin, &assertions, check_assertions, &mut out);
    }
    out
}

fn check_plugin(
    plugin: &Member,
    assertions: &Assertions,
    check_assertions: bool,
    out: &mut Vec<Finding>,
) {
    let path = plugin.path_of("tests/it/tracing.rs");
    let Some(file) = plugin.file("tests/it/tracing.rs") else {
        out.push(Finding::new(
            path,
            1,
            TEST,
            format!(
                "{} has no tracing test file: tests/it/tracing.rs does not exist (SC-002)",
                plugin.name
            ),
            FIX_FILE,
        ));
        return;
    };
    let declared = plugin.file("tests/it/main.rs").and_then(|m| m.syntax()).is_some_and(|main| {
        main.items.iter().any(
            |item| matches!(item, syn::Item::Mod(m) if m.ident == "tracing" && m.content.is_none()),
        )
    });
    if !declared {
        out.push(Finding::new(
            plugin.path_of("tests/it/main.rs"),
            1,
            TEST,
            "tests/it/main.rs does not declare `mod tracing;`, so tracing.rs is never compiled or run",
            "add `mod tracing;` to tests/it/main.rs (one integration-test binary per package)",
        ));
    }
    let Some(tokens) = tokens::of_text(&file.text) else { return };
    let tests: Vec<tokens::Function> =
        tokens::functions(&tokens).into_iter().filter(tokens::Function::is_test).collect();
    if tests.is_empty() {
        out.push(Finding::new(
            path.clone(),
            1,
            TEST,
            "tracing.rs holds no #[test] or #[tokio::test] function (SC-002)",
            FIX_FILE,
        ));
    }
    if !check_assertions {
        return;
    }
    let helpers = helpers(plugin);
    let asserting = asserting(&helpers, assertions);
    for test in tests {
        if !body_asserts(&test.body, "tracing", &helpers, &asserting, assertions) {
            out.push(Finding::new(
                path.clone(),
                test.line,
                ASSERTION,
                format!(
                    "test `{}` calls no testkit assertion, directly or through a helper (SC-007)",
                    test.name
                ),
                FIX_ASSERT,
            ));
        }
    }
}

/// Every function and `macro_rules!` in the plugin's `tests/` files.
fn helpers(plugin: &Member) -> Vec<Helper> {
    let mut out = Vec::new();
    for file in plugin.files.iter().filter(|f| f.local.starts_with("tests/")) {
        let Some(tokens) = tokens::of_text(&file.text) else { continue };
        let module = module_of(&file.local);
        for function in tokens::functions(&tokens) {
            let kind = if function.is_method { Kind::Method } else { Kind::Function };
            out.push(Helper {
                module: module.clone(),
                name: function.name,
                kind,
                body: function.body,
            });
        }
        for (name, _, body) in tokens::macro_rules(&tokens) {
            out.push(Helper { module: module.clone(), name, kind: Kind::Macro, body });
        }
    }
    out
}

fn module_of(local: &str) -> String {
    let name = local.rsplit('/').next().unwrap_or(local).trim_end_matches(".rs");
    name.to_owned()
}

/// The helper `call` (made in `module`) runs, if it names one.
fn resolve<'a>(call: &Call, module: &str, helpers: &'a [Helper]) -> Option<(usize, &'a Helper)> {
    let named = |kind: Kind| {
        helpers.iter().enumerate().filter(move |(_, h)| h.name == call.name && h.kind == kind)
    };
    match &call.form {
        Form::Macro => named(Kind::Macro).next(),
        Form::Method => named(Kind::Method).next(),
        Form::Bare => named(Kind::Function)
            .find(|(_, h)| h.module == module)
            .or_else(|| named(Kind::Function).next()),
        Form::Path(qualifier) => {
            let qualifier = qualifier.as_deref().unwrap_or_default();
            named(Kind::Function).find(|(_, h)| h.module == qualifier).or_else(|| match qualifier {
                "self" | "super" | "crate" | "Self" => {
                    named(Kind::Function).find(|(_, h)| h.module == module)
                }
                _ => None,
            })
        }
    }
}

fn is_assertion(call: &Call, assertions: &Assertions) -> bool {
    match call.form {
        Form::Macro => assertions.is_macro(&call.name),
        _ => assertions.is_function(&call.name),
    }
}

/// The indexes of the helpers that assert (a fixpoint over helper calls).
fn asserting(helpers: &[Helper], assertions: &Assertions) -> BTreeSet<usize> {
    let mut asserting = BTreeSet::new();
    loop {
        let before = asserting.len();
        for (index, helper) in helpers.iter().enumerate() {
            if !asserting.contains(&index)
                && body_asserts(&helper.body, &helper.module, helpers, &asserting, assertions)
            {
                asserting.insert(index);
            }
        }
        if asserting.len() == before {
            return asserting;
        }
    }
}

fn body_asserts(
    body: &TokenStream,
    module: &str,
    helpers: &[Helper],
    asserting: &BTreeSet<usize>,
    assertions: &Assertions,
) -> bool {
    tokens::calls(body).iter().any(|call| match resolve(call, module, helpers) {
        Some((index, _)) => asserting.contains(&index),
        None => is_assertion(call, assertions),
    })
}
