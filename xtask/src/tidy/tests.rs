//! Each tidy rule on fixture workspaces: `good` passes, and each overlay in
//! `test_data/workspace/` breaks one rule, found at its line.

use std::path::PathBuf;

use crate::finding::Finding;
use crate::workspace::fixture::workspace;

const PLUGIN: &str = "plugins/floe-alert-demo";

fn places(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| format!("{}:{}: {}", f.path, f.line, f.rule)).collect()
}

fn tidy(overlay: Option<&str>) -> Vec<Finding> {
    super::check(&workspace(overlay, &[], &[]))
}

#[test]
fn the_good_fixture_is_tidy() {
    let findings = tidy(None);
    assert!(findings.is_empty(), "{}", crate::finding::render(&findings));
}

#[test]
fn a_file_without_a_doc_header_fails() {
    assert_eq!(
        places(&tidy(Some("doc_header_missing"))),
        [format!("{PLUGIN}/src/config.rs:2: doc-header")]
    );
}

#[test]
fn a_manifest_without_workspace_lints_or_overriding_them_fails() {
    assert_eq!(
        places(&tidy(Some("lints_overridden"))),
        [
            "floe-otel-testkit/Cargo.toml:12: lints".to_owned(),
            format!("{PLUGIN}/Cargo.toml:1: lints")
        ]
    );
}

#[test]
fn a_root_level_mod_tracing_fails() {
    assert_eq!(
        places(&tidy(Some("plugin_module_tracing"))),
        [format!("{PLUGIN}/src/lib.rs:4: plugin-module")]
    );
}

#[test]
fn the_testkit_under_dependencies_fails_but_not_in_contract_tests() {
    let findings = tidy(Some("testkit_in_dependencies"));
    assert_eq!(places(&findings), [format!("{PLUGIN}/Cargo.toml:8: testkit-dependency")]);
    assert!(findings[0].fix.contains("[dev-dependencies]"), "{}", findings[0]);
}

#[test]
fn ignore_dbg_and_todo_fail_but_not_in_comments_or_strings() {
    assert_eq!(
        places(&tidy(Some("forbidden_macros"))),
        [
            format!("{PLUGIN}/src/unfinished.rs:4: dbg"),
            format!("{PLUGIN}/src/unfinished.rs:6: todo"),
            format!("{PLUGIN}/tests/it/skipped.rs:4: ignore"),
            format!("{PLUGIN}/tests/it/skipped.rs:8: ignore"),
            format!("{PLUGIN}/tests/it/skipped.rs:12: ignore"),
            format!("{PLUGIN}/tests/it/skipped.rs:17: ignore"),
        ]
    );
}

#[test]
fn a_file_over_800_lines_fails_unless_exempt() {
    let long = format!("//! A long file.\n{}", "\n".repeat(800));
    let findings = super::check(&workspace(
        None,
        &[],
        &[
            (&format!("{PLUGIN}/src/long.rs"), &long),
            ("packages/floe-telemetry/src/registry.rs", &long),
        ],
    ));
    assert_eq!(places(&findings), [format!("{PLUGIN}/src/long.rs:801: file-size")]);
}

#[test]
fn stale_generated_files_fail() {
    let root = tempfile::tempdir().unwrap();
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let registry = root.path().join(crate::registry::REGISTRY_DIR);
    std::fs::create_dir_all(&registry).unwrap();
    std::fs::copy(manifest_dir.join("test_data/registry/good/a.yaml"), registry.join("a.yaml"))
        .unwrap();
    std::fs::copy(manifest_dir.join("../rustfmt.toml"), root.path().join("rustfmt.toml")).unwrap();

    let stale = super::stale_generated(root.path()).unwrap();
    assert_eq!(
        places(&stale),
        [
            "docs/telemetry.md:1: codegen",
            "packages/floe-telemetry/src/attr.rs:1: codegen",
            "packages/floe-telemetry/src/ops.rs:1: codegen",
            "packages/floe-telemetry/src/registry.rs:1: codegen",
        ]
    );
    assert!(crate::codegen::run(root.path(), false).unwrap());
    assert!(super::stale_generated(root.path()).unwrap().is_empty());
}
