//! Configuration: unknown keys and unusable values are refused with messages that name
//! the key and never show a credential; the plugin is registered and builds from config.

use floe_core::plugin::categories::SecretsProvider as _;
use floe_core::plugin::{PluginCategory, PluginErrorKind, ResolvedConfig, find};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use floe_secrets_infisical::{InfisicalConfig, InfisicalError, InfisicalPlugin};
use serde_json::json;

fn base(client_secret: &str) -> serde_json::Value {
    json!({ "client_id": "id", "client_secret": client_secret, "project_id": "p", "environment": "dev" })
}

fn build(config: serde_json::Value) -> Result<InfisicalPlugin, InfisicalError> {
    InfisicalPlugin::new(&serde_json::from_value::<InfisicalConfig>(config).expect("config shape"))
}

#[test]
fn the_plugin_is_registered_and_generates_config_without_credentials() {
    let client_secret = planted_secret();
    let descriptor = find(PluginCategory::Secrets, "infisical").expect("registered");
    assert_eq!(descriptor.metadata.tracer_name(), Some("floe.secrets.infisical"));

    let plugin =
        (descriptor.construct)(&ResolvedConfig::literal("plugins.secrets", base(&client_secret)))
            .unwrap();

    let generated = plugin.generated_config().unwrap();
    assert_eq!(
        generated,
        json!({ "provider": "infisical", "site": "app.infisical.com", "project_id": "p", "environment": "dev", "secret_path": "/" })
    );
    assert_text_clean("generated config", &generated.to_string(), &client_secret);
}

#[test]
fn unknown_keys_are_refused_naming_the_path() {
    let descriptor = find(PluginCategory::Secrets, "infisical").unwrap();
    let mut config = base("s");
    config["client_secert"] = json!("typo");

    let error = (descriptor.construct)(&ResolvedConfig::literal("plugins.secrets.config", config))
        .unwrap_err();

    assert_eq!(error.kind, PluginErrorKind::Config);
    assert!(error.to_string().contains("client_secert"), "{error}");
}

#[test]
fn unusable_values_are_refused_without_showing_credentials() {
    let secret = planted_secret();
    let with = |key: &str, value: serde_json::Value| {
        let mut config = base(&secret);
        config[key] = value;
        config
    };
    let cases = [
        (with("site_url", json!("nope")), "site_url: the url is not valid"),
        (
            with("site_url", json!(format!("https://u:{secret}@h"))),
            "site_url: the url of h carries user info",
        ),
        (
            with("site_url", json!(format!("https://h/?k={secret}"))),
            "site_url: the url of h has a query",
        ),
        (with("client_secret", json!(" ")), "client_secret: must not be empty"),
        (with("secret_path", json!("relative/path")), "secret_path"),
        (with("secret_path", json!("/a/../b")), "secret_path"),
        (with("environment", json!("")), "environment"),
        (with("timeout_secs", json!(0)), "timeout_secs"),
    ];
    for (config, expected) in cases {
        let error = build(config).unwrap_err();
        assert_eq!(error.kind(), PluginErrorKind::Config);
        assert!(error.to_string().contains(expected), "{error} should mention {expected}");
        assert_text_clean("config error", &format!("{error} {error:?}"), &secret);
    }
}

#[test]
fn a_pod_env_spec_without_a_synced_secret_is_a_config_error() {
    let plugin = build(base("s")).unwrap();

    let error = plugin.pod_env_spec(&["A"]).unwrap_err();

    assert!(error.to_string().contains("managed_secret_name"), "{error}");
}

#[test]
fn plain_http_to_a_remote_instance_is_refused_unless_explicitly_allowed() {
    let mut insecure = base("s");
    insecure["site_url"] = json!("http://infisical.internal:8080");

    let error = build(insecure.clone()).unwrap_err();

    assert_eq!(
        error.to_string(),
        "invalid configuration: site_url: the url of infisical.internal:8080 uses plain http: use https, or set allow_insecure_http for a trusted network"
    );
    insecure["allow_insecure_http"] = json!(true);
    assert!(build(insecure).is_ok(), "allow_insecure_http opts in");
    let mut local = base("s");
    local["site_url"] = json!("http://127.0.0.1:8080");
    assert!(build(local).is_ok(), "loopback http");
}

#[test]
fn floe_compile_refuses_the_insecure_configuration_naming_the_manifest_key() {
    let client_secret = planted_secret();
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("manifest.yaml");
    std::fs::write(
        &manifest,
        "api_version: floe/v1\nplatform: { name: p, namespace: n }\nplugins:\n  secrets:\n    - type: infisical\n      config: { site_url: \"http://infisical.internal\", client_id: id, client_secret: \"${secret:infisical}\", project_id: p, environment: dev }\n",
    )
    .unwrap();
    let registry = floe_core::plugin::registered();
    let env = |name: &str| (name == "FLOE_SECRET_INFISICAL").then(|| client_secret.clone());

    let error = floe_core::compile::compile(&floe_core::compile::CompileRequest {
        manifest: &manifest,
        output: None,
        registry: &registry,
        env: &env,
    })
    .unwrap_err();

    let text = error.to_string();
    assert!(
        text.contains("plugin secrets/infisical: plugins.secrets[0].config.site_url: the url of infisical.internal uses plain http"),
        "{text}"
    );
    assert_text_clean("compile error", &format!("{text} {error:?}"), &client_secret);
}
