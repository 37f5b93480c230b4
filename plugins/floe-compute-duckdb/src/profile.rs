//! What the plugin generates from its config: the dbt-duckdb profile, resource requests,
//! the Cube data source and the config's JSON schema.

use floe_core::plugin::categories::ResourceRequirements;
use serde_json::{Map, Value, json};

use crate::DuckDbComputeError;
use crate::config::{DuckDbConfig, kubernetes_memory};
use crate::sql::is_identifier;

/// The dbt-duckdb profile body for `target`: `{ "target": ..., "outputs": { target: {...} } }`
/// (the profile's name is the dbt project's). Secret settings appear only as
/// `{{ env_var('DBT_ENV_SECRET_DUCKDB_<NAME>') }}`.
///
/// # Errors
/// When `target` is not a target name.
pub(crate) fn dbt_profile(
    config: &DuckDbConfig,
    target: &str,
) -> Result<Value, DuckDbComputeError> {
    if !is_identifier(target) {
        return Err(DuckDbComputeError::Config {
            key: "target".to_owned(),
            reason: "is not a target name",
        });
    }
    let mut settings: Map<String, Value> =
        config.settings.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    if let Some(limit) = &config.memory_limit {
        settings.insert("memory_limit".to_owned(), Value::String(limit.clone()));
    }
    for name in config.secret_settings.keys() {
        let reference = format!("{{{{ env_var('{}') }}}}", DuckDbConfig::secret_setting_env(name));
        settings.insert(name.clone(), Value::String(reference));
    }
    let mut output = json!({
        "type": "duckdb",
        "path": config.path,
        "threads": config.threads,
    });
    if !config.extensions.is_empty() {
        output["extensions"] = json!(config.extensions);
    }
    if !settings.is_empty() {
        output["settings"] = Value::Object(settings);
    }
    if let Some(version) = &config.storage_compatibility_version {
        output["config_options"] = json!({ "storage_compatibility_version": version });
    }
    Ok(json!({ "target": target, "outputs": { target: output } }))
}

/// Requests: the configured ones, else one CPU per thread and the memory limit (1Gi
/// without one).
pub(crate) fn resources(config: &DuckDbConfig) -> ResourceRequirements {
    if let Some(explicit) = &config.resources {
        return ResourceRequirements { cpu: explicit.cpu.clone(), memory: explicit.memory.clone() };
    }
    ResourceRequirements {
        cpu: config.threads.to_string(),
        memory: config
            .memory_limit
            .as_deref()
            .and_then(kubernetes_memory)
            .unwrap_or_else(|| "1Gi".to_owned()),
    }
}

/// Cube's DuckDB driver settings (its `CUBEJS_DB_*` environment). Secret settings are left
/// out: Cube reads its credentials from its own secret store.
pub(crate) fn cube_datasource(config: &DuckDbConfig) -> Value {
    let mut env = Map::new();
    env.insert("CUBEJS_DB_TYPE".to_owned(), json!("duckdb"));
    if config.path != crate::IN_MEMORY {
        env.insert("CUBEJS_DB_DUCKDB_DATABASE_PATH".to_owned(), json!(config.path));
    }
    if let Some(limit) = &config.memory_limit {
        env.insert("CUBEJS_DB_DUCKDB_MEMORY_LIMIT".to_owned(), json!(limit));
    }
    if !config.extensions.is_empty() {
        env.insert("CUBEJS_DB_DUCKDB_EXTENSIONS".to_owned(), json!(config.extensions.join(",")));
    }
    json!({ "type": "duckdb", "env": env })
}

/// The JSON schema of [`DuckDbConfig`].
pub(crate) fn config_schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "path": { "type": "string", "default": crate::IN_MEMORY },
            "threads": { "type": "integer", "minimum": 1, "default": 4 },
            "memory_limit": { "type": "string" },
            "extensions": { "type": "array", "items": { "type": "string" } },
            "settings": { "type": "object", "additionalProperties": { "type": "string" } },
            "secret_settings": { "type": "object", "additionalProperties": { "type": "string" } },
            "storage_compatibility_version": { "type": "string" },
            "target": { "type": "string", "default": "dev" },
            "resources": {
                "type": "object",
                "additionalProperties": false,
                "required": ["cpu", "memory"],
                "properties": { "cpu": { "type": "string" }, "memory": { "type": "string" } }
            }
        }
    })
}
