//! Each rule on fixture workspaces: `good` passes every rule, and each overlay in
//! `test_data/workspace/` breaks one, with every finding at its line.

use crate::finding::Finding;
use crate::workspace::fixture::workspace;

const PLUGIN: &str = "plugins/floe-alert-demo";

/// `path:line: rule` of each finding.
pub(super) fn places(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| format!("{}:{}: {}", f.path, f.line, f.rule)).collect()
}

/// The findings of every rule but operation coverage.
fn audit(overlay: Option<&str>, remove: &[&str]) -> Vec<Finding> {
    super::audit(&workspace(overlay, remove, &[]), false).findings
}

/// The findings of every rule, operation coverage enforced whatever the roll-out switch.
pub(super) fn audit_all(overlay: Option<&str>, remove: &[&str]) -> Vec<Finding> {
    let audit = super::audit(&workspace(overlay, remove, &[]), true);
    assert!(audit.gaps.is_empty(), "enforced gaps are findings");
    audit.findings
}

#[test]
fn the_good_fixture_passes_every_rule() {
    let findings = audit_all(None, &[]);
    assert!(findings.is_empty(), "{}", crate::finding::render(&findings));
}

#[test]
fn a_deleted_tracing_test_file_fails() {
    let findings = audit(None, &[&format!("{PLUGIN}/tests/it/tracing.rs")]);
    assert_eq!(places(&findings), [format!("{PLUGIN}/tests/it/tracing.rs:1: tracing-test")]);
    assert!(findings[0].message.contains("tests/it/tracing.rs does not exist"), "{}", findings[0]);
}

#[test]
fn a_tracing_file_main_does_not_declare_fails() {
    let findings = audit(Some("tracing_test_undeclared"), &[]);
    assert_eq!(places(&findings), [format!("{PLUGIN}/tests/it/main.rs:1: tracing-test")]);
    assert!(findings[0].message.contains("`mod tracing;`"), "{}", findings[0]);
}

#[test]
fn a_tracing_file_without_a_test_function_fails() {
    let findings = audit(Some("tracing_test_empty"), &[]);
    assert_eq!(places(&findings), [format!("{PLUGIN}/tests/it/tracing.rs:1: tracing-test")]);
}

#[test]
fn every_tracing_test_without_a_testkit_assertion_fails_at_its_line() {
    let findings = audit(Some("tracing_assertion_missing"), &[]);
    let path = format!("{PLUGIN}/tests/it/tracing.rs");
    assert_eq!(
        places(&findings),
        [6, 13, 19, 26, 35].map(|line| format!("{path}:{line}: tracing-assertion"))
    );
    assert!(findings[0].message.contains("`send_only_counts_spans`"), "{}", findings[0]);
    assert!(findings[0].fix.contains("capture.assert_one("), "{}", findings[0]);
}

#[test]
fn a_plugin_without_telemetry_rs_fails() {
    let findings = audit(None, &[&format!("{PLUGIN}/src/telemetry.rs")]);
    assert_eq!(places(&findings), [format!("{PLUGIN}/src/telemetry.rs:1: tracer-name")]);
}

#[test]
fn a_telemetry_rs_without_tracer_name_fails() {
    let findings = audit(Some("tracer_name_missing"), &[]);
    assert_eq!(places(&findings), [format!("{PLUGIN}/src/telemetry.rs:1: tracer-name")]);
    assert!(findings[0].message.contains("no `const TRACER_NAME`"), "{}", findings[0]);
}

#[test]
fn a_malformed_tracer_name_fails_at_its_line() {
    let findings = audit(Some("tracer_name_malformed"), &[]);
    assert_eq!(places(&findings), [format!("{PLUGIN}/src/telemetry.rs:3: tracer-name")]);
}

#[test]
fn metadata_given_a_literal_instead_of_tracer_name_fails() {
    let findings = audit(Some("tracer_name_literal"), &[]);
    assert_eq!(places(&findings), [format!("{PLUGIN}/src/lib.rs:19: tracer-name")]);
    assert!(findings[0].message.contains("the literal \"floe.alert.demo\""), "{}", findings[0]);
}

#[test]
fn metadata_that_never_sets_the_tracer_fails_at_the_metadata() {
    let findings = audit(Some("tracer_name_never_set"), &[]);
    assert_eq!(places(&findings), [format!("{PLUGIN}/src/lib.rs:12: tracer-name")]);
    assert!(findings[0].message.contains("tracer_name()"), "{}", findings[0]);
}

#[test]
fn raw_error_recording_fails_at_each_call() {
    let findings = audit(Some("raw_error_recording"), &[]);
    let path = format!("{PLUGIN}/src/deliver.rs");
    assert_eq!(
        places(&findings),
        [7, 8, 9, 10, 11, 13, 14].map(|line| format!("{path}:{line}: raw-error-recording"))
    );
    assert!(findings[0].message.contains("`record_error`"), "{}", findings[0]);
    assert!(findings[0].fix.contains("DomainSpan::fail"), "{}", findings[0]);
}

#[test]
fn a_raw_record_error_in_a_plugin_is_found_whatever_the_file() {
    let text =
        "//! A plugin module.\n\nfn f(span: &mut S, e: &E) {\n    span.record_error(e);\n}\n";
    let findings =
        super::check(&workspace(None, &[], &[(&format!("{PLUGIN}/src/extra.rs"), text)]));
    assert_eq!(places(&findings), [format!("{PLUGIN}/src/extra.rs:4: raw-error-recording")]);
}

#[test]
fn local_span_machinery_fails_at_each_place() {
    let findings = audit(Some("span_wrapper"), &[]);
    let path = format!("{PLUGIN}/src/wrapper.rs");
    assert_eq!(
        places(&findings),
        [9, 10, 11, 12, 13, 16, 23, 30, 35, 37, 38, 41]
            .map(|line| format!("{path}:{line}: span-wrapper"))
    );
}

#[test]
fn a_plugin_without_a_contract_row_fails() {
    let findings = audit(None, &["contract-tests/tests/it/rows/alert_demo.rs"]);
    assert_eq!(places(&findings), [format!("{PLUGIN}/Cargo.toml:1: contract-row")]);
    assert!(findings[0].fix.contains("Row { package: \"floe-alert-demo\""), "{}", findings[0]);
}

#[test]
fn a_row_missing_from_the_suite_list_fails() {
    let findings = audit(Some("contract_row_unlisted"), &[]);
    assert_eq!(places(&findings), ["contract-tests/tests/it/main.rs:5: contract-row"]);
}

#[test]
fn a_plugin_contract_tests_does_not_link_fails() {
    let findings = audit(Some("contract_row_unlinked"), &[]);
    assert_eq!(places(&findings), ["contract-tests/Cargo.toml:7: contract-row"]);
}

#[test]
fn a_file_that_does_not_parse_fails() {
    let findings = audit(Some("parse_error"), &[]);
    assert_eq!(places(&findings)[..1], [format!("{PLUGIN}/src/broken.rs:3: parse")]);
}

#[test]
fn findings_print_as_path_line_rule_message_then_the_fix() {
    let findings = audit(None, &[&format!("{PLUGIN}/tests/it/tracing.rs")]);
    let text = crate::finding::render(&findings);
    assert!(
        text.starts_with(&format!(
            "{PLUGIN}/tests/it/tracing.rs:1: tracing-test: floe-alert-demo has no tracing test file"
        )),
        "{text}"
    );
    assert!(text.contains("\n    fix: write tests/it/tracing.rs"), "{text}");
}

#[test]
fn the_inventory_lists_tracer_spans_and_attributes_per_plugin() {
    let inventory = super::inventory::inventory(&workspace(None, &[], &[]));
    let json = serde_json::to_value(&inventory).unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {
                "package": "floe-alert-demo",
                "tracer_name": "floe.alert.demo",
                "excluded": null,
                "spans": ["alert.health_check", "alert.send", "alert.validate_config"],
                "attributes": ["alert.channel", "alert.delivery_status"],
            },
            {
                "package": "floe-telemetry-console",
                "tracer_name": null,
                "excluded": crate::exemptions::package_exemption("tracer-name", "floe-telemetry-console").unwrap().reason,
                "spans": [],
                "attributes": [],
            },
        ])
    );
}
