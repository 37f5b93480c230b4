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
