//! What the provider reports: one result per check with passed, failing rows and rows
//! checked, matched to the dbt tests through the manifest; configuration handling.

use floe_core::plugin::categories::{CheckResult, QualityProvider as _};
use floe_core::plugin::{PluginCategory, ResolvedConfig, find};
use floe_otel_testkit::peers::DbtProject;
use floe_quality_dbt::DbtQualityProvider;
use serde_json::json;

use crate::peer;
use crate::scenario::scenario;

fn check(name: &str, passed: bool, rows_checked: u64, failing_rows: u64) -> CheckResult {
    CheckResult { name: name.to_owned(), passed, rows_checked, failing_rows }
}

#[test]
fn listed_checks_are_reported_in_order_with_rows_and_failures() {
    let reports = scenario().two_suites.result.as_ref().unwrap();
    assert_eq!(reports[0].suite, "orders");
    assert_eq!(
        reports[0].checks,
        [
            check("order_id_not_null", true, 6, 0),
            check("order_id_unique", true, 6, 0),
            check("amount_at_most_1000", true, 6, 0),
            check("amount_below_100", false, 6, 2),
        ]
    );
    assert_eq!(
        (reports[0].pass_count(), reports[0].fail_count(), reports[0].rows_checked()),
        (3, 1, 6)
    );
}

#[test]
fn a_suite_without_checks_reports_every_test_dbt_ran_on_the_model() {
    let reports = scenario().two_suites.result.as_ref().unwrap();
    let mut names: Vec<&str> = reports[1].checks.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "accepted_values_stg_customers_country__GB__US__FI",
            "not_null_stg_customers_customer_id",
            "unique_stg_customers_customer_id"
        ]
    );
    assert!(reports[1].checks.iter().all(|c| c.passed && c.rows_checked == 4));
}

#[test]
fn custom_tests_from_the_config_are_accepted_check_types() {
    let project = DbtProject::copy().unwrap();
    let mut config = peer::config(&project, None);
    let mut suite = peer::orders_suite();
    suite.checks[0].kind = "assert_recent_rows".to_owned();
    assert!(DbtQualityProvider::new(config.clone()).validate_expectations(&suite).is_err());
    config.custom_tests = vec!["assert_recent_rows".to_owned()];
    DbtQualityProvider::new(config).validate_expectations(&suite).unwrap();
}

fn construct(
    config: serde_json::Value,
) -> Result<Box<dyn floe_core::plugin::Plugin>, floe_core::plugin::PluginError> {
    let descriptor = find(PluginCategory::Quality, "dbt").expect("registered");
    (descriptor.construct)(&ResolvedConfig::literal("plugins.quality[0].config", config))
}

#[test]
fn config_rejects_unknown_keys() {
    let err = construct(json!({ "dbt": { "project_dir": "p" }, "tests": [] })).unwrap_err();
    assert!(
        err.to_string().contains("plugins.quality[0].config.tests: unknown field `tests`"),
        "{err}"
    );
    let plugin = construct(
        json!({ "dbt": { "project_dir": "p", "executable": "/opt/dbt" }, "custom_tests": ["x"] }),
    )
    .unwrap();
    let generated = plugin.generated_config().unwrap();
    assert_eq!(generated["custom_tests"], json!(["x"]));
    assert_eq!(plugin.metadata().tracer_name(), Some("floe.quality.dbt"));
}

#[test]
fn configuration_mistakes_are_compile_errors_naming_the_manifest_key() {
    let compile = |config: &str| {
        let dir = tempfile::tempdir().expect("a scratch directory");
        let path = dir.path().join("platform.yaml");
        std::fs::write(
            &path,
            format!(
                "api_version: floe/v1\nplatform: {{ name: p, namespace: ns }}\n\
                 plugins:\n  quality:\n    - type: dbt\n      config: {config}\n"
            ),
        )
        .expect("writing the manifest");
        let registry = floe_core::plugin::registered();
        floe_core::compile::compile(&floe_core::compile::CompileRequest {
            manifest: &path,
            output: None,
            registry: &registry,
            env: &|_: &str| None,
        })
        .map(|_| ())
        .map_err(|e| e.to_string())
    };
    compile("{ dbt: { project_dir: p }, custom_tests: [assert_recent] }").unwrap();
    let err = compile("{ dbt: { project_dir: p, timeout_secs: 0 } }").unwrap_err();
    assert!(
        err.ends_with("plugin quality/dbt: plugins.quality[0].config.dbt.timeout_secs: must be between 1 and 86400, found 0"),
        "{err}"
    );
    let err = compile("{ dbt: { project_dir: p }, custom_tests: [ok, \"x') }}\"] }").unwrap_err();
    assert!(
        err.ends_with("plugins.quality[0].config.custom_tests[1]: is not a dbt test name (letters, digits, underscores)"),
        "{err}"
    );
}

#[test]
fn the_manifest_and_results_are_read_from_the_target_path_dbt_was_given() {
    let scenario = scenario();
    let artifacts = scenario.project.path().join(peer::ENV_TARGET);
    assert!(artifacts.join("manifest.json").is_file());
    assert!(artifacts.join("run_results.json").is_file());
    // The build's own results, in target/, are older and would not match these checks.
    scenario.two_suites.result.as_ref().unwrap();
}
