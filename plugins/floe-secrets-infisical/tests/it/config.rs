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
        (with("site_url", json!("nope")), "site_url is not a URL"),
        (with("site_url", json!(format!("https://u:{secret}@h"))), "must not carry credentials"),
        (with("client_secret", json!(" ")), "must not be empty"),
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
