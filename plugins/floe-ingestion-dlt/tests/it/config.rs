//! The config: unknown keys rejected, ranges checked, the credential never generated.

use floe_core::plugin::Plugin as _;
use floe_ingestion_dlt::{DltConfig, DltPlugin};
use serde_json::json;

#[test]
fn unknown_keys_are_rejected() {
    let error = serde_json::from_value::<DltConfig>(json!({ "python": "python3", "pythn": "x" }))
        .unwrap_err();
    assert!(error.to_string().contains("unknown field `pythn`"), "{error}");
}

#[test]
fn out_of_range_attempts_are_rejected() {
    let mut config = DltConfig::new("python3");
    config.max_attempts = 0;
    let error = DltPlugin::new(config).unwrap_err();
    assert!(error.to_string().contains("max_attempts"), "{error}");
}

#[test]
fn the_generated_config_names_credentials_by_reference_only() {
    let config: DltConfig = serde_json::from_value(json!({
        "python": "python3",
        "duckdb_path": "warehouse.duckdb",
        "credentials": { "shop_db": "postgresql://app:hunter2@db/shop" }
    }))
    .expect("valid");
    let generated = DltPlugin::new(config).expect("valid").generated_config().expect("generated");

    assert_eq!(generated["credentials"], json!({ "shop_db": "${secret:dlt_shop_db}" }));
    assert_eq!(generated["destinations"]["duckdb"], "warehouse.duckdb");
    assert!(!generated.to_string().contains("hunter2"));
}

/// `floe compile` of a manifest whose `plugins.ingestion` is this plugin with `config`.
fn compile(config: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let path = dir.path().join("platform.yaml");
    std::fs::write(
        &path,
        format!(
            "api_version: floe/v1\nplatform: {{ name: p, namespace: ns }}\n\
             plugins:\n  ingestion:\n    type: dlt\n    config: {config}\n"
        ),
    )
    .expect("writing the manifest");
    let registry = floe_core::plugin::registered();
    floe_core::compile::compile(&floe_core::compile::CompileRequest {
        manifest: &path,
        output: None,
        registry: &registry,
        env: &|name: &str| {
            (name == "FLOE_SECRET_SHOP").then(|| "postgresql://a:FLOETEST-pw-51@h/db".to_owned())
        },
    })
    .map(|_| ())
    .map_err(|e| e.to_string())
}

#[test]
fn configuration_mistakes_are_compile_errors_naming_the_manifest_key() {
    compile("{ credentials: { shop_db: \"${secret:shop}\" } }").unwrap();
    let err = compile("{ max_attempts: 0 }").unwrap_err();
    assert!(
        err.ends_with(
            "plugin dlt: plugins.ingestion.config.max_attempts: must be between 1 and 10, found 0"
        ),
        "{err}"
    );
    let err = compile("{ credentials: { Shop-DB: \"${secret:shop}\" } }").unwrap_err();
    assert!(
        err.ends_with("plugins.ingestion.config.credentials.Shop-DB: is not a pipeline name (a lower-case identifier)"),
        "{err}"
    );
    assert!(!err.contains("FLOETEST"), "{err}");
    let err = compile("{ filesystem_url: /data/lake }").unwrap_err();
    assert!(err.contains("plugins.ingestion.config.filesystem_url: must be a bucket URL"), "{err}");
    let err = compile("{ python: \" \" }").unwrap_err();
    assert!(err.ends_with("plugins.ingestion.config.python: must not be empty"), "{err}");
}
