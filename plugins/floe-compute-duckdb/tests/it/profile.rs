//! What the plugin generates: the dbt profile (accepted by the real dbt-duckdb), resource
//! requests, the Cube data source, packages, and config decoding.

use std::collections::BTreeMap;

use floe_compute_duckdb::{DuckDbCompute, DuckDbConfig, kubernetes_memory};
use floe_core::plugin::categories::Compute;
use floe_core::plugin::{Plugin as _, PluginCategory, ResolvedConfig, find};
use floe_core::secret::Secret;
use serde_json::json;

#[test]
fn the_profile_holds_settings_and_references_secret_settings_by_environment() {
    let mut config = DuckDbConfig::new("target/warehouse.duckdb");
    config.threads = 2;
    config.memory_limit = Some("2GB".to_owned());
    config.extensions = vec!["httpfs".to_owned()];
    config.settings = BTreeMap::from([("s3_region".to_owned(), "eu-west-1".to_owned())]);
    config.secret_settings =
        BTreeMap::from([("s3_secret_access_key".to_owned(), Secret::new("hidden".to_owned()))]);
    config.storage_compatibility_version = Some("v1.5.0".to_owned());
    let compute = DuckDbCompute::new(config).unwrap();
    assert_eq!(
        compute.generate_profile("dev").unwrap(),
        json!({
            "target": "dev",
            "outputs": { "dev": {
                "type": "duckdb",
                "path": "target/warehouse.duckdb",
                "threads": 2,
                "extensions": ["httpfs"],
                "settings": {
                    "memory_limit": "2GB",
                    "s3_region": "eu-west-1",
                    "s3_secret_access_key": "{{ env_var('DBT_ENV_SECRET_DUCKDB_S3_SECRET_ACCESS_KEY') }}"
                },
                "config_options": { "storage_compatibility_version": "v1.5.0" }
            }}
        })
    );
    let env = compute.profile_env();
    assert_eq!(env.len(), 1);
    assert_eq!(env[0].0, "DBT_ENV_SECRET_DUCKDB_S3_SECRET_ACCESS_KEY");
    assert_eq!(env[0].1.expose(), "hidden");
}

#[test]
fn the_generated_profile_is_accepted_by_dbt_duckdb() {
    let dbt = floe_otel_testkit::peers::venv_bin("dbt").unwrap();
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("dbt_project.yml"),
        "name: probe\nversion: '1.0'\nconfig-version: 2\nprofile: probe\n",
    )
    .unwrap();
    let mut config = DuckDbConfig::new(project.path().join("probe.duckdb").to_string_lossy());
    config.threads = 1;
    // A built-in setting stands in for a credential: its value reaches DuckDB only through
    // the environment variable the profile names.
    config.secret_settings =
        BTreeMap::from([("default_null_order".to_owned(), Secret::new("nulls_last".to_owned()))]);
    config.storage_compatibility_version = Some("v1.5.0".to_owned());
    let compute = DuckDbCompute::new(config).unwrap();
    let profile = json!({ "probe": compute.generate_profile("dev").unwrap() });
    // JSON is YAML: dbt reads it as profiles.yml.
    std::fs::write(project.path().join("profiles.yml"), profile.to_string()).unwrap();
    let output = std::process::Command::new(dbt)
        .args(["debug", "--project-dir"])
        .arg(project.path())
        .arg("--profiles-dir")
        .arg(project.path())
        .envs(compute.profile_env().iter().map(|(k, v)| (k.as_str(), v.expose().as_str())))
        .env("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "dbt debug failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("All checks passed!"), "{stdout}");
    // dbt-duckdb wrote the file in the compatible format: this engine opens it.
    duckdb::Connection::open(project.path().join("probe.duckdb")).unwrap();
}

#[test]
fn resources_come_from_threads_and_memory_limit_unless_configured() {
    let mut config = DuckDbConfig::new(":memory:");
    config.threads = 2;
    config.memory_limit = Some("4GiB".to_owned());
    let derived = DuckDbCompute::new(config.clone()).unwrap().resource_requirements();
    assert_eq!((derived.cpu.as_str(), derived.memory.as_str()), ("2", "4Gi"));
    config.resources = Some(floe_compute_duckdb::ResourceConfig {
        cpu: "500m".to_owned(),
        memory: "1Gi".to_owned(),
    });
    let explicit = DuckDbCompute::new(config).unwrap().resource_requirements();
    assert_eq!((explicit.cpu.as_str(), explicit.memory.as_str()), ("500m", "1Gi"));
    assert_eq!(kubernetes_memory("512MB").as_deref(), Some("512M"));
    assert_eq!(kubernetes_memory("lots"), None);
}

#[test]
fn cube_gets_the_database_path_and_packages_name_dbt_duckdb() {
    let mut config = DuckDbConfig::new("/data/warehouse.duckdb");
    config.memory_limit = Some("1GB".to_owned());
    config.secret_settings =
        BTreeMap::from([("s3_secret_access_key".to_owned(), Secret::new("hidden".to_owned()))]);
    let compute = DuckDbCompute::new(config).unwrap();
    assert_eq!(
        compute.cube_datasource(),
        json!({ "type": "duckdb", "env": {
            "CUBEJS_DB_TYPE": "duckdb",
            "CUBEJS_DB_DUCKDB_DATABASE_PATH": "/data/warehouse.duckdb",
            "CUBEJS_DB_DUCKDB_MEMORY_LIMIT": "1GB"
        }})
    );
    let packages = compute.required_dbt_packages();
    assert_eq!(packages[0].name, "dbt-duckdb");
    let generated = compute.generated_config().unwrap().to_string();
    assert!(!generated.contains("hidden"), "{generated}");
    assert!(generated.contains("DBT_ENV_SECRET_DUCKDB_S3_SECRET_ACCESS_KEY"), "{generated}");
}

fn construct(
    config: serde_json::Value,
) -> Result<Box<dyn floe_core::plugin::Plugin>, floe_core::plugin::PluginError> {
    let descriptor = find(PluginCategory::Compute, "duckdb").expect("registered");
    (descriptor.construct)(&ResolvedConfig::literal("plugins.compute.config", config))
}

#[test]
fn the_registered_constructor_rejects_unknown_keys_and_bad_names() {
    let err = construct(json!({ "path": ":memory:", "pat": "x" })).unwrap_err();
    assert!(err.to_string().contains("plugins.compute.config.pat: unknown field `pat`"), "{err}");
    let err = construct(json!({ "settings": { "threads; DROP": "1" } })).unwrap_err();
    assert_eq!(
        err.to_string(),
        "plugin compute/duckdb: plugins.compute.config.settings.threads; DROP: is not a setting name"
    );
    let err = construct(json!({ "threads": 0 })).unwrap_err();
    assert_eq!(
        err.to_string(),
        "plugin compute/duckdb: plugins.compute.config.threads: must be at least 1"
    );
    let err = construct(json!({ "extensions": ["httpfs", "x'; INSTALL evil"] })).unwrap_err();
    assert!(
        err.to_string().ends_with("plugins.compute.config.extensions[1]: is not an extension name"),
        "{err}"
    );
    let ok = construct(json!({ "path": "warehouse.duckdb", "memory_limit": "1GB" })).unwrap();
    assert_eq!(ok.metadata().tracer_name(), Some("floe.compute.duckdb"));
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
                 plugins:\n  compute:\n    type: duckdb\n    config: {config}\n"
            ),
        )
        .expect("writing the manifest");
        let registry = floe_core::plugin::registered();
        floe_core::compile::compile(&floe_core::compile::CompileRequest {
            manifest: &path,
            output: None,
            registry: &registry,
            env: &|name: &str| (name == "FLOE_SECRET_S3").then(|| "FLOETEST-s3-7c1".to_owned()),
        })
        .map(|_| ())
        .map_err(|e| e.to_string())
    };
    compile("{ path: warehouse.duckdb }").unwrap();
    let err = compile("{ memory_limit: lots }").unwrap_err();
    assert!(
        err.ends_with("plugin compute/duckdb: plugins.compute.config.memory_limit: expected a size such as 4GB or 512MiB"),
        "{err}"
    );
    let err = compile(
        "{ settings: { s3_region: eu }, secret_settings: { s3_region: \"${secret:s3}\" } }",
    )
    .unwrap_err();
    assert!(
        err.ends_with("plugins.compute.config.secret_settings.s3_region: is also a plain setting"),
        "{err}"
    );
    assert!(!err.contains("FLOETEST"), "{err}");
}
