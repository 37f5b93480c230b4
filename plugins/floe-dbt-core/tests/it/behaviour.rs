//! What the runner returns: typed results from `run_results.json` and `manifest.json`,
//! and configuration handling.

use floe_core::plugin::categories::DbtCommand;
use floe_core::plugin::{PluginCategory, ResolvedConfig, find};
use serde_json::json;

use crate::scenario::scenario;

#[test]
fn run_results_become_typed_results_models_tests_failures_and_timings() {
    let scenario = scenario();
    let run = scenario.run.result.as_ref().unwrap();
    assert_eq!(run.command, DbtCommand::Run);
    assert!(run.success);
    assert_eq!(run.models_run(), 3);
    let ids: Vec<&str> = run.nodes.iter().map(|n| n.unique_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "model.floe_demo.customer_orders",
            "model.floe_demo.stg_customers",
            "model.floe_demo.stg_orders"
        ]
    );
    assert!(run.elapsed > 0.0 && run.nodes.iter().all(|n| n.execution_time > 0.0));

    let failed =
        scenario.failing_test.result.as_ref().unwrap_err().result().expect("dbt wrote results");
    assert!(!failed.success);
    assert_eq!((failed.tests_run(), failed.models_run(), failed.failures().len()), (10, 0, 1));
    assert_eq!(failed.failures()[0].failures, Some(2));

    let compile = scenario.compile.result.as_ref().unwrap();
    assert!(compile.success);
    assert!(compile.nodes.iter().all(|n| n.status == "success"), "{:?}", compile.nodes);
}

#[test]
fn the_manifest_is_read_into_models_and_their_tests() {
    let manifest = &scenario().manifest_after_compile;
    let orders = manifest.model("stg_orders").expect("the model is in the manifest");
    let mut tests: Vec<(String, Option<String>)> = manifest
        .tests_on(&orders.unique_id)
        .map(|t| {
            (
                t.test_metadata.as_ref().map(|m| m.name.clone()).unwrap_or_default(),
                t.column_name.clone(),
            )
        })
        .collect();
    tests.sort();
    let expected = [
        ("expect_column_values_to_be_between", "amount"),
        ("not_null", "order_id"),
        ("relationships", "customer_id"),
        ("unique", "order_id"),
    ];
    assert_eq!(
        tests,
        expected.map(|(t, c)| (t.to_owned(), Some(c.to_owned()))),
        "the disabled test stays out"
    );
}

#[test]
fn commands_write_into_the_scratch_copy_not_the_repository() {
    let repo =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap();
    let copy = scenario().project.path();
    assert!(!copy.starts_with(&repo), "{} is inside the repository", copy.display());
    assert!(copy.join("target").join("manifest.json").is_file());
    assert!(copy.join("target").join("floe_demo.duckdb").is_file());
}

fn construct(
    config: serde_json::Value,
) -> Result<Box<dyn floe_core::plugin::Plugin>, floe_core::plugin::PluginError> {
    let descriptor = find(PluginCategory::Dbt, "core").expect("registered");
    (descriptor.construct)(&ResolvedConfig::literal("plugins.dbt.config", config))
}

#[test]
fn config_rejects_unknown_keys_and_generated_config_names_env_without_values() {
    let err = construct(json!({ "project_dir": "p", "venv_dir": "/v" })).unwrap_err();
    assert!(
        err.to_string().contains("plugins.dbt.config.venv_dir: unknown field `venv_dir`"),
        "{err}"
    );
    let err = construct(json!({ "venv": "/v" })).unwrap_err();
    assert!(err.to_string().contains("missing field `project_dir`"), "{err}");
    let plugin = construct(json!({
        "project_dir": "examples/dbt-project",
        "venv": "/opt/venv",
        "env": { "DBT_ENV_SECRET_PASSWORD": "hunter2-value" }
    }))
    .unwrap();
    let generated = plugin.generated_config().unwrap();
    assert_eq!(generated["executable"], "/opt/venv/bin/dbt");
    assert_eq!(generated["engine"], "dbt-core");
    assert_eq!(generated["env"], json!(["DBT_ENV_SECRET_PASSWORD"]));
    assert!(!generated.to_string().contains("hunter2"), "{generated}");
    assert_eq!(plugin.metadata().tracer_name(), Some("floe.dbt.core"));
}
