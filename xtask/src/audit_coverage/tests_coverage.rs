//! Tracing tests that cannot fail, on fixture workspaces: each overlay in
//! `test_data/workspace/` opens one loophole, and the audit fails on it naming the plugin
//! and the rule.

use super::tests::{audit_all, places};
use crate::finding::Finding;

const PLUGIN: &str = "plugins/floe-alert-demo";

fn tracing_rs(line: usize, rule: &str) -> String {
    format!("{PLUGIN}/tests/it/tracing.rs:{line}: {rule}")
}

/// Every finding names the plugin.
fn named(findings: &[Finding]) -> &[Finding] {
    for f in findings {
        assert!(f.message.starts_with("floe-alert-demo"), "{f}");
    }
    findings
}

/// The `tracing-assertion` findings of an overlay, as `line: test`.
fn unreached(overlay: &str) -> Vec<String> {
    let findings = audit_all(Some(overlay), &[]);
    named(&findings)
        .iter()
        .map(|f| {
            assert_eq!(
                (f.rule, f.path.as_str()),
                ("tracing-assertion", &*format!("{PLUGIN}/tests/it/tracing.rs")),
                "{f}"
            );
            assert!(f.message.contains("is in code the test never runs"), "{f}");
            let test = f.message.split('`').nth(1).unwrap_or_default();
            format!("{}: {test}", f.line)
        })
        .collect()
}

#[test]
fn an_assertion_in_a_nested_function_never_called_does_not_count() {
    assert_eq!(
        unreached("unreached_nested_fn"),
        ["8: the_assertion_is_in_a_function_never_called"]
    );
}

#[test]
fn an_assertion_in_an_async_block_never_awaited_does_not_count() {
    assert_eq!(
        unreached("unreached_async_block"),
        ["8: the_assertion_is_in_async_blocks_never_awaited"]
    );
}

#[test]
fn an_assertion_under_a_literal_false_condition_does_not_count() {
    assert_eq!(
        unreached("unreached_if_false"),
        ["8: the_assertion_is_under_if_false", "17: the_assertion_is_in_the_else_of_if_true"]
    );
}

#[test]
fn an_assertion_in_a_closure_never_called_does_not_count() {
    assert_eq!(
        unreached("unreached_closure"),
        [
            "8: the_assertion_is_in_a_closure_never_called",
            "24: the_assertion_is_in_a_closure_handed_to_a_helper_that_drops_it"
        ]
    );
}

#[test]
fn an_assertion_after_return_or_a_panic_does_not_count() {
    assert_eq!(
        unreached("unreached_after_return"),
        ["8: the_assertion_is_after_return", "16: the_assertion_is_after_a_panic"]
    );
}

#[test]
fn a_test_or_an_assertion_behind_a_cfg_does_not_count() {
    let findings = audit_all(Some("test_cfg_compiled_out"), &[]);
    assert_eq!(
        places(named(&findings)),
        [
            tracing_rs(9, "tracing-test"),
            tracing_rs(17, "tracing-test"),
            tracing_rs(23, "tracing-test"),
            tracing_rs(36, "tracing-assertion"),
        ]
    );
    assert!(
        findings[0].message.contains("`a_test_compiled_out` is behind a `#[cfg]`"),
        "{}",
        findings[0]
    );
    assert!(findings[2].message.contains("`mod gated` is behind a `#[cfg]`"), "{}", findings[2]);
}

#[test]
fn a_should_panic_tracing_test_fails() {
    let findings = audit_all(Some("should_panic"), &[]);
    assert_eq!(places(named(&findings)), [tracing_rs(9, "tracing-test")]);
    assert!(findings[0].message.contains("`#[should_panic]`"), "{}", findings[0]);
}

#[test]
fn mod_tracing_behind_path_or_cfg_fails_and_its_tests_count_for_nothing() {
    for (overlay, what) in [("mod_tracing_path", "`#[path]`"), ("mod_tracing_cfg", "a `#[cfg]`")] {
        let findings = audit_all(Some(overlay), &[]);
        let structural: Vec<&Finding> = findings.iter().collect();
        assert_eq!(structural.len(), 1, "{overlay}: {findings:?}");
        assert_eq!(
            (structural[0].path.as_str(), structural[0].line),
            (&*format!("{PLUGIN}/tests/it/main.rs"), 5)
        );
        assert!(
            structural[0].message.contains(&format!("`mod tracing` is behind {what}")),
            "{}",
            structural[0]
        );
    }
}
