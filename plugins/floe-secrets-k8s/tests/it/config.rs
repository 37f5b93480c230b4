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
        (json!({ "api_server": "not a url", "namespace": "floe" }), "api_server is not a URL"),
        (json!({ "api_server": "ftp://h", "namespace": "floe" }), "http(s)"),
        (
            json!({ "api_server": format!("https://admin:{password}@h"), "namespace": "floe" }),
            "must not carry credentials",
        ),
        (json!({ "api_server": "https://h", "namespace": "Floe_NS" }), "DNS-1123"),
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
