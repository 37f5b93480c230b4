//! Operation coverage and reachable assertions on fixture workspaces: each overlay in
//! `test_data/workspace/` opens one loophole, and the audit fails on it naming the plugin
//! and the rule, with operation coverage enforced whatever `OPERATION_COVERAGE_ENFORCED`
//! says.

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

#[test]
fn an_operation_asserted_only_failing_is_missing_its_ok() {
    let findings = audit_all(Some("operation_ok_missing"), &[]);
    assert_eq!(places(named(&findings)), [tracing_rs(1, "operation-ok")]);
    assert!(findings[0].message.contains("`alert.validate_config`"), "{}", findings[0]);
    assert!(
        findings[0].fix.contains("expect::span(\"alert.validate_config\").ok()"),
        "{}",
        findings[0]
    );
}

#[test]
fn an_operation_asserted_only_succeeding_is_missing_its_error_and_its_modes() {
    let findings = audit_all(Some("operation_error_missing"), &[]);
    assert_eq!(
        places(named(&findings)),
        [format!("{PLUGIN}/src/lib.rs:38: failure-mode"), tracing_rs(1, "operation-error")]
    );
    assert!(
        findings[0].message.contains("DemoError::Config of `alert.validate_config`"),
        "{}",
        findings[0]
    );
}

#[test]
fn an_operation_only_the_registry_names_for_the_plugin_must_be_asserted() {
    let findings = audit_all(Some("operation_registry_only"), &[]);
    assert_eq!(
        places(named(&findings)),
        [
            "packages/floe-core/src/lib.rs:25: failure-mode".to_owned(),
            tracing_rs(1, "operation-error"),
            tracing_rs(1, "operation-ok"),
        ]
    );
    assert!(
        findings[0].message.contains("fail_soft \"unhealthy\" of `alert.health_check`"),
        "{}",
        findings[0]
    );
    assert!(findings[0].fix.contains(".error().exception(\"unhealthy\")"), "{}", findings[0]);
}

#[test]
fn a_soft_failure_asserted_without_its_reason_fails() {
    let findings = audit_all(Some("failure_mode_soft_reason"), &[]);
    assert_eq!(places(named(&findings)), ["packages/floe-core/src/lib.rs:25: failure-mode"]);
}

#[test]
fn an_error_asserted_without_naming_the_variant_fails() {
    let findings = audit_all(Some("failure_mode_variant"), &[]);
    assert_eq!(places(named(&findings)), [format!("{PLUGIN}/src/lib.rs:29: failure-mode")]);
    assert!(findings[0].message.contains("DemoError::Rejected of `alert.send`"), "{}", findings[0]);
    assert!(
        findings[0]
            .fix
            .contains(".error_containing(\"the receiver rejected the alert with status\")"),
        "{}",
        findings[0]
    );
}

#[test]
fn an_error_asserted_without_its_outcome_attribute_fails() {
    let findings = audit_all(Some("failure_mode_outcome"), &[]);
    assert_eq!(
        places(named(&findings)),
        ["packages/floe-telemetry/registry/alert.yaml:1: failure-mode"]
    );
    assert!(findings[0].message.contains("alert.delivery_status=failed"), "{}", findings[0]);
    assert!(
        findings[0].fix.contains(".attr(attr::ALERT_DELIVERY_STATUS, \"failed\")"),
        "{}",
        findings[0]
    );
}

#[test]
fn absence_assertions_and_expect_no_spans_assert_no_operation() {
    let findings = audit_all(Some("operation_absence_only"), &[]);
    assert_eq!(places(named(&findings)), [tracing_rs(1, "operation-ok")]);
    assert!(findings[0].message.contains("`alert.send`"), "{}", findings[0]);
}

#[test]
fn an_expectation_of_another_tracer_asserts_no_operation_of_the_plugin() {
    let findings = audit_all(Some("operation_wrong_scope"), &[]);
    assert_eq!(places(named(&findings)), [tracing_rs(1, "operation-ok")]);
}

#[test]
fn a_test_outside_the_tracing_tests_asserts_no_operation() {
    let findings = audit_all(Some("operation_outside_tracing"), &[]);
    assert_eq!(places(named(&findings)), [tracing_rs(1, "operation-ok")]);
}

#[test]
fn an_assertion_in_a_dead_branch_asserts_no_operation() {
    let findings = audit_all(Some("operation_unreached"), &[]);
    assert_eq!(places(named(&findings)), [tracing_rs(1, "operation-ok")]);
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
        let structural: Vec<&Finding> =
            findings.iter().filter(|f| f.rule == "tracing-test").collect();
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
        // The tests of tracing.rs may not be what runs: no operation counts as asserted.
        assert!(findings.iter().any(|f| f.rule == "operation-ok"), "{overlay}");
    }
}

#[test]
fn every_fix_hint_names_testkit_functions_that_exist() {
    let api = super::assertions::tests::real_testkit().api;
    let overlays = [
        None,
        Some("operation_ok_missing"),
        Some("operation_error_missing"),
        Some("operation_registry_only"),
        Some("failure_mode_variant"),
        Some("failure_mode_outcome"),
        Some("tracing_assertion_missing"),
        Some("tracing_test_empty"),
        Some("should_panic"),
    ];
    let mut checked = 0;
    let mut fixes: Vec<String> = overlays
        .iter()
        .flat_map(|o| audit_all(*o, &[]))
        .filter(|f| {
            matches!(
                f.rule,
                "tracing-test"
                    | "tracing-assertion"
                    | "operation-ok"
                    | "operation-error"
                    | "failure-mode"
            )
        })
        .map(|f| f.fix)
        .collect();
    fixes.extend([
        super::tracing_tests::FIX_FILE.to_owned(),
        super::tracing_tests::FIX_ASSERT.to_owned(),
    ]);
    for fix in &fixes {
        for name in super::assertions::hint_calls(fix) {
            assert!(
                api.contains(&name),
                "the fix hint calls `{name}`, which the testkit does not define: {fix}"
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} calls checked");
}
