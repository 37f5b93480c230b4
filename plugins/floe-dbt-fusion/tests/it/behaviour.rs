//! Engine choice and configuration.

use std::path::{Path, PathBuf};

use floe_core::plugin::{PluginCategory, ResolvedConfig, find};
use floe_dbt_fusion::{EngineChoice, choose_engine};
use floe_otel_testkit::peers::DbtProject;
use serde_json::json;

use crate::peer;

#[test]
fn fusion_is_chosen_when_found_and_the_fallback_reason_names_no_directory() {
    let project = DbtProject::copy().unwrap();
    let fake = peer::documented_fusion(&project);
    assert_eq!(choose_engine(Some(&fake), |_| None), EngineChoice::Fusion(fake.clone()));
    let missing = project.path().join("bin").join("dbtf");
    let EngineChoice::Fallback { reason } = choose_engine(Some(&missing), |_| None) else {
        panic!("fallback")
    };
    assert_eq!(reason, "the configured Fusion CLI dbtf is not an executable file");
    let on_path = PathBuf::from("/usr/local/bin/dbtf");
    let looked_up = choose_engine(None, |name| (name == "dbtf").then(|| on_path.clone()));
    assert_eq!(looked_up, EngineChoice::Fusion(on_path));
    assert_eq!(
        choose_engine(None, |_| None),
        EngineChoice::Fallback { reason: "dbtf not found on PATH".to_owned() }
    );
    // A configured path that is a directory is not a CLI.
    assert!(matches!(choose_engine(Some(Path::new("/")), |_| None), EngineChoice::Fallback { .. }));
}

fn construct(
    config: serde_json::Value,
) -> Result<Box<dyn floe_core::plugin::Plugin>, floe_core::plugin::PluginError> {
    let descriptor = find(PluginCategory::Dbt, "fusion").expect("registered");
    (descriptor.construct)(&ResolvedConfig::literal("plugins.dbt.config", config))
}

#[test]
fn config_rejects_unknown_keys_and_generated_config_records_the_fallback() {
    let err = construct(json!({ "fusion": "/x", "dbt": { "project_dir": "p" } })).unwrap_err();
    assert!(err.to_string().contains("plugins.dbt.config.fusion: unknown field `fusion`"), "{err}");
    let err = construct(json!({ "dbt": { "project_dir": "p", "envs": {} } })).unwrap_err();
    assert!(err.to_string().contains("plugins.dbt.config.dbt.envs: unknown field `envs`"), "{err}");
    let plugin = construct(json!({
        "fusion_executable": "/nonexistent/dbtf",
        "dbt": { "project_dir": "p", "executable": "/opt/dbt/bin/dbt", "env": { "PW": "hunter2-value" } }
    }))
    .unwrap();
    let generated = plugin.generated_config().unwrap();
    assert_eq!(generated["engine"], "dbt-core");
    assert_eq!(generated["executable"], "/opt/dbt/bin/dbt");
    assert_eq!(
        generated["fallback_reason"],
        "the configured Fusion CLI dbtf is not an executable file"
    );
    assert!(!generated.to_string().contains("hunter2"), "{generated}");
    assert_eq!(plugin.metadata().tracer_name(), Some("floe.dbt.fusion"));
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
                 plugins:\n  dbt:\n    type: fusion\n    config: {config}\n"
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
    compile("{ dbt: { project_dir: p } }").unwrap();
    let err = compile("{ dbt: { project_dir: p, vars: \"[a, b]\" } }").unwrap_err();
    assert!(
        err.ends_with("plugin dbt/fusion: plugins.dbt.config.dbt.vars: must be a YAML mapping such as {name: value}"),
        "{err}"
    );
    let err = compile("{ dbt: { project_dir: p, timeout_secs: 100000 } }").unwrap_err();
    assert!(
        err.contains("plugins.dbt.config.dbt.timeout_secs: must be between 1 and 86400"),
        "{err}"
    );
}
