//! Configuration: unknown keys and unusable values are refused with messages that name
//! the key and never show a credential; the plugin is registered and builds from config.

use floe_core::plugin::{PluginCategory, PluginErrorKind, ResolvedConfig, find};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use floe_secrets_k8s::{K8sSecretsConfig, K8sSecretsError, K8sSecretsPlugin};
use serde_json::json;

fn build(config: serde_json::Value) -> Result<K8sSecretsPlugin, K8sSecretsError> {
    K8sSecretsPlugin::new(
        &serde_json::from_value::<K8sSecretsConfig>(config).expect("config shape"),
    )
}

#[test]
fn the_plugin_is_registered_and_builds_from_manifest_config() {
    let token = planted_secret();
    let descriptor =
        find(PluginCategory::Secrets, "k8s").expect("floe-secrets-k8s registers itself");
    assert_eq!(descriptor.metadata.tracer_name(), Some("floe.secrets.k8s"));
    let config = ResolvedConfig::literal(
        "plugins.secrets.config",
        json!({ "api_server": "https://10.0.0.1:6443", "namespace": "floe", "token": token }),
    );

    let plugin = (descriptor.construct)(&config).unwrap();

    let generated = plugin.generated_config().unwrap();
    assert_eq!(
        generated,
        json!({ "provider": "kubernetes", "namespace": "floe", "api_server": "10.0.0.1" })
    );
    assert_text_clean("generated config", &generated.to_string(), &token);
}

#[test]
fn unknown_keys_are_refused_naming_the_path() {
    let descriptor = find(PluginCategory::Secrets, "k8s").unwrap();
    let config = ResolvedConfig::literal(
        "plugins.secrets.config",
        json!({ "namespace": "floe", "tokn": "x" }),
    );

    let error = (descriptor.construct)(&config).unwrap_err();

    assert_eq!(error.kind, PluginErrorKind::Config);
    assert!(error.to_string().contains("plugins.secrets.config"), "{error}");
    assert!(error.to_string().contains("tokn"), "{error}");
}

#[test]
fn unusable_values_are_refused_without_showing_credentials() {
    let password = planted_secret();
    let cases = [
        (
            json!({ "api_server": "not a url", "namespace": "floe" }),
            "api_server: the url is not valid",
        ),
        (
            json!({ "api_server": "ftp://h", "namespace": "floe" }),
            "api_server: the url of h has scheme \"ftp\"",
        ),
        (
            json!({ "api_server": format!("https://admin:{password}@h"), "namespace": "floe" }),
            "api_server: the url of h carries user info",
        ),
        (
            json!({ "api_server": format!("https://h/?token={password}"), "namespace": "floe" }),
            "api_server: the url of h has a query",
        ),
        (
            json!({ "api_server": "https://h", "namespace": "Floe_NS" }),
            "namespace: is not a DNS-1123",
        ),
        (
            json!({ "api_server": "https://h", "namespace": "floe", "timeout_secs": 0 }),
            "timeout_secs",
        ),
        (
            json!({ "api_server": "https://h", "namespace": "floe", "anonymous": true, "token": "t" }),
            "anonymous",
        ),
    ];
    for (config, expected) in cases {
        let error = build(config).unwrap_err();
        assert_eq!(error.kind(), PluginErrorKind::Config);
        assert!(error.to_string().contains(expected), "{error} should mention {expected}");
        assert_text_clean("config error", &format!("{error} {error:?}"), &password);
    }
}

#[test]
fn a_missing_or_empty_ca_bundle_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.crt");
    std::fs::write(&empty, "").unwrap();
    for file in [dir.path().join("missing.crt"), empty] {
        let error =
            build(json!({ "api_server": "https://h", "namespace": "floe", "ca_file": file }))
                .unwrap_err();
        assert!(matches!(error, K8sSecretsError::CaBundle { .. }), "{error}");
        assert!(error.to_string().contains(&file.display().to_string()), "{error}");
    }
}

#[tokio::test]
async fn startup_fails_when_the_token_file_cannot_be_read() {
    use floe_core::plugin::Lifecycle as _;
    let plugin = build(json!({
        "api_server": "https://h", "namespace": "floe", "token_file": "/nonexistent/floe/token"
    }))
    .unwrap();

    let error = plugin.startup().await.unwrap_err();

    assert_eq!(error.kind, PluginErrorKind::Config);
    assert!(error.to_string().contains("/nonexistent/floe/token"), "{error}");
}

#[test]
fn plain_http_to_a_remote_api_server_is_refused_unless_explicitly_allowed() {
    let insecure = json!({ "api_server": "http://10.0.0.1:8080", "namespace": "floe" });

    let error = build(insecure.clone()).unwrap_err();

    assert_eq!(
        error.to_string(),
        "invalid configuration: api_server: the url of 10.0.0.1:8080 uses plain http: use https, or set allow_insecure_http for a trusted network"
    );
    let mut allowed = insecure;
    allowed["allow_insecure_http"] = json!(true);
    assert!(build(allowed).is_ok(), "allow_insecure_http opts in");
    for local in ["http://127.0.0.1:8001", "http://localhost:8001", "https://10.0.0.1:6443"] {
        assert!(build(json!({ "api_server": local, "namespace": "floe" })).is_ok(), "{local}");
    }
}

#[test]
fn floe_compile_refuses_the_insecure_configuration_naming_the_manifest_key() {
    let token = planted_secret();
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("manifest.yaml");
    std::fs::write(
        &manifest,
        "api_version: floe/v1\nplatform: { name: p, namespace: n }\nplugins:\n  secrets:\n    - type: k8s\n      config: { api_server: \"http://10.0.0.1:8080\", namespace: floe, token: \"${secret:k8s_token}\" }\n",
    )
    .unwrap();
    let registry = floe_core::plugin::registered();
    let env = |name: &str| (name == "FLOE_SECRET_K8S_TOKEN").then(|| token.clone());

    let error = floe_core::compile::compile(&floe_core::compile::CompileRequest {
        manifest: &manifest,
        output: None,
        registry: &registry,
        env: &env,
    })
    .unwrap_err();

    let text = error.to_string();
    assert!(
        text.contains("plugin secrets/k8s: plugins.secrets[0].config.api_server: the url of 10.0.0.1:8080 uses plain http"),
        "{text}"
    );
    assert!(text.contains("allow_insecure_http"), "{text}");
    assert_text_clean("compile error", &format!("{text} {error:?}"), &token);
}
