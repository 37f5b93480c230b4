//! `tracing-test` and `tracing-assertion` (FR-020, FR-021, SC-002, SC-007): every plugin
//! has `tests/it/tracing.rs`, declared plainly by `tests/it/main.rs`, holding tests that
//! run and can fail (see [`super::test_code`] for `#[should_panic]`, `#[cfg]` and
//! `#[path]`), and every test there reaches a testkit assertion, directly or through a
//! helper.
//!
//! The assertions are the testkit's public `assert_*` functions and exported `assert_*`
//! macros ([`super::assertions`]). A test reaches one when the walk of its body
//! ([`super::reach`]) gets to the call: an assertion in a nested function nobody calls,
//! an `async` block never awaited, a closure never called, `if false { .. }`, after a
//! `return`, or under `#[cfg(..)]` does not count.
//!
//! A helper is any function or `macro_rules!` defined in a file of the plugin's `tests/`
//! tree. A call resolves to a helper by name: a bare call to one in the same file (else in
//! any test file), `module::name(..)` to one in `module.rs`, a method call to a method (a
//! function whose first parameter is `self`) and a macro to a `macro_rules!` of that name
//! anywhere in the test binary. A helper that shadows an assertion's name must itself
//! assert. Known limit: resolution is by name, not by type, so an unrelated method that
//! happens to be named like an assertion (`x.assert_one(..)` on a type of the plugin's
//! own) is taken for the testkit's.

use proc_macro2::TokenStream;

use super::RULE_TRACING_ASSERTION as ASSERTION;
use super::RULE_TRACING_TEST as TEST;
use super::assertions::Assertions;
use super::reach::{self, Context, Reached};
use super::test_code::{self, TestFn};
use crate::finding::Finding;
use crate::tokens::{self, Form};
use crate::workspace::Member;

pub(crate) const FIX_FILE: &str = "write tests/it/tracing.rs (and `mod tracing;` in tests/it/main.rs) with one #[test] per operation and failure mode: drive the real operation under `let capture = Capture::start();`, then `capture.assert_one(expect::span(\"<category>.<operation>\").floe_attributes().attr(attr::KEY, value).ok())`, `.error_containing(..)` on failure, and `capture.assert_no_secret(planted)`";

pub(crate) const FIX_ASSERT: &str = "assert on the captured spans with the testkit, in code the test runs: `capture.assert_one(expect::span(\"<category>.<operation>\").attr(attr::KEY, value).error_containing(..))`, `capture.assert_tree(..)`, `capture.assert_no_secret(planted)` or `assert_span_tree!`; counting spans, starting a Capture, or an assertion in code that never runs proves nothing";

/// A tracing test and what it reaches.
pub(crate) struct Walked {
    /// The test.
    pub(crate) test: TestFn,
    /// What its body reaches.
    pub(crate) reached: Reached,
}

/// The findings of both rules for `plugin`, and its walked tracing tests.
/// `check_assertions` is false when the plugin is exempt from `tracing-assertion`.
pub(crate) fn check_plugin(
    plugin: &Member,
    cx: &Context<'_>,
    check_assertions: bool,
    out: &mut Vec<Finding>,
) -> Vec<Walked> {
    let path = plugin.path_of("tests/it/tracing.rs");
    if plugin.file("tests/it/tracing.rs").is_none() {
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
        return Vec::new();
    }
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
            format!("{}: tests/it/main.rs does not declare `mod tracing;`, so tracing.rs is never compiled or run", plugin.name),
            "add `mod tracing;` to tests/it/main.rs (one integration-test binary per package)",
        ));
    }
    let tests = test_code::tracing_tests(plugin, out);
    if tests.is_empty() {
        out.push(Finding::new(
            path,
            1,
            TEST,
            format!(
                "{}: tracing.rs holds no #[test] or #[tokio::test] function (SC-002)",
                plugin.name
            ),
            FIX_FILE,
        ));
    }
    let mut walked = Vec::new();
    for test in tests {
        let reached = reach::walk(cx, &test.module, &test.body);
        if check_assertions && test.counts && reached.assertions.is_empty() {
            let unreached = unreached(&test.tokens, cx.assertions);
            let detail = match unreached {
                Some((name, line)) => format!(
                    "; `{name}` at line {line} is in code the test never runs (a function never called, an async block never awaited, a closure never called, a dead branch, code after `return`, or `#[cfg]`)"
                ),
                None => String::new(),
            };
            out.push(Finding::new(
                test.path.clone(),
                test.line,
                ASSERTION,
                format!(
                    "{}: test `{}` reaches no testkit assertion, directly or through a helper (SC-007){detail}",
                    plugin.name, test.name
                ),
                FIX_ASSERT,
            ));
        }
        walked.push(Walked { test, reached });
    }
    walked
}

/// The first assertion written in a body, reached or not.
fn unreached(body: &TokenStream, assertions: &Assertions) -> Option<(String, usize)> {
    tokens::calls(body).into_iter().find_map(|call| {
        let is = match call.form {
            Form::Macro => assertions.is_macro(&call.name),
            _ => assertions.is_function(&call.name),
        };
        is.then_some((call.name, call.line))
    })
}
