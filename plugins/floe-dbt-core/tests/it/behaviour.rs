//! What the runner returns: typed results from `run_results.json` and `manifest.json`,
//! and configuration handling.

use floe_core::plugin::categories::DbtCommand;
use floe_core::plugin::{PluginCategory, ResolvedConfig, find};
use serde_json::json;

use floe_core::plugin::categories::DbtOptions;
use floe_dbt_core::{DbtCoreError, DbtCorePlugin};
use floe_otel_testkit::peers::DbtProject;

use crate::peer;
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
    assert!(copy.join("floe_demo.duckdb").is_file());
}

#[test]
fn artifacts_are_read_from_the_target_path_the_environment_or_the_project_sets() {
    let scenario = scenario();
    // DBT_TARGET_PATH, handed to dbt in `env`: seed, run and test found their results there.
    let built = scenario.project.path();
    assert!(built.join(peer::ENV_TARGET).join("run_results.json").is_file());
    assert!(!built.join("target").join("run_results.json").exists());
    assert_eq!(scenario.run.result.as_ref().unwrap().models_run(), 3);
    // target-path in dbt_project.yml: compile's results and the manifest were read there.
    let compiled = scenario.other.path();
    assert!(compiled.join(peer::YML_TARGET).join("manifest.json").is_file());
    assert!(!compiled.join("target").join("manifest.json").exists());
    let compile = scenario.compile.result.as_ref().unwrap();
    assert!(compile.node("model.floe_demo.stg_orders").is_some(), "{:?}", compile.nodes);
    assert!(scenario.manifest_after_compile.model("stg_orders").is_some());
}

#[test]
fn vars_reach_the_real_dbt_core_on_stdin_and_still_take_effect() {
    let scenario = scenario();
    let cli = peer::settings(&scenario.project).dbt_core();
    assert!(cli.uses_stdin(), "the virtualenv's dbt is dbt-core's Python entry point");
    // `{floe_fail_on_purpose: true}` enabled the test that fails on purpose: dbt read it.
    let failed = scenario.failing_test.result.as_ref().unwrap_err().result().unwrap();
    assert!(failed.failures().iter().any(|n| n.unique_id.contains("fails_on_purpose")));
}

#[test]
fn a_missing_manifest_names_its_project_relative_path() {
    let project = DbtProject::copy().unwrap();
    let err =
        DbtCorePlugin::new(peer::settings(&project)).manifest(&DbtOptions::default()).unwrap_err();
    assert!(matches!(err, DbtCoreError::NoManifest { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the dbt project has no target/manifest.json: run a dbt command first"
    );
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

/// `floe compile` of a manifest whose `plugins.dbt` is this plugin with `config` (YAML).
fn compile_with(config: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let path = dir.path().join("platform.yaml");
    std::fs::write(
        &path,
        format!(
            "api_version: floe/v1\nplatform: {{ name: p, namespace: ns }}\n\
             plugins:\n  dbt:\n    type: core\n    config: {config}\n"
        ),
    )
    .expect("writing the manifest");
    let registry = floe_core::plugin::registered();
    floe_core::compile::compile(&floe_core::compile::CompileRequest {
        manifest: &path,
        output: None,
        registry: &registry,
        env: &|name: &str| (name == "FLOE_SECRET_VARS").then(|| "FLOETEST-vars-9f2".to_owned()),
    })
    .map(|_| ())
    .map_err(|e| e.to_string())
}

#[test]
fn configuration_mistakes_are_compile_errors_naming_the_manifest_key() {
    compile_with("{ project_dir: p }").unwrap();
    let err = compile_with("{ project_dir: p, timeout_secs: 0 }").unwrap_err();
    assert!(
        err.ends_with(
            "plugin dbt/core: plugins.dbt.config.timeout_secs: must be between 1 and 86400, found 0"
        ),
        "{err}"
    );
    let err = compile_with("{ project_dir: p, vars: \"${secret:vars}\" }").unwrap_err();
    assert!(
        err.ends_with("plugins.dbt.config.vars: must be a YAML mapping such as {name: value}"),
        "{err}"
    );
    assert!(!err.contains("FLOETEST"), "{err}");
    let err = compile_with("{ project_dir: p, env: { \"NOT A NAME\": x } }").unwrap_err();
    assert!(
        err.contains("plugins.dbt.config.env.NOT A NAME: is not an environment variable name"),
        "{err}"
    );
}
