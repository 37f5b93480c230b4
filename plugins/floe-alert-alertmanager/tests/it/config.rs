//! The Alertmanager plugin's config: typed, unknown keys rejected, credentials never shown.

use floe_core::plugin::{Plugin, PluginCategory, ResolvedConfig, find};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use serde_json::json;

fn construct(config: serde_json::Value) -> Result<Box<dyn Plugin>, String> {
    let descriptor = find(PluginCategory::AlertChannel, "alertmanager").expect("registered");
    (descriptor.construct)(&ResolvedConfig::literal("plugins.alert_channel[2].config", config))
        .map_err(|e| e.to_string())
}

#[test]
fn the_plugin_builds_from_manifest_config_and_generates_no_secret() {
    let secret = planted_secret();
    let plugin = construct(json!({
        "url": format!("https://am:{secret}@alertmanager.example.com"),
        "basic_auth": { "username": "floe", "password": secret },
        "labels": { "team": "data" },
    }))
    .unwrap();
    let generated = plugin.generated_config().unwrap();
    assert_eq!(generated["destination"], "alertmanager.example.com");
    assert_eq!(generated["labels"]["team"], "data");
    assert_text_clean("the generated config", &generated.to_string(), &secret);
    assert_text_clean("the plugin's Debug", &format!("{plugin:?}"), &secret);
}

#[test]
fn bad_config_names_the_problem_and_never_a_credential() {
    let secret = planted_secret();
    let url = "https://alertmanager.example.com";
    for (config, expected) in [
        (json!({ "url": url, "receiver": "x" }), "unknown field `receiver`"),
        (
            json!({ "url": url, "bearer_token": secret, "basic_auth": { "username": "u", "password": secret } }),
            "not both",
        ),
        (
            json!({ "url": url, "generator_url": "contracts" }),
            "generator_url is not an absolute URL",
        ),
        (json!({ "url": url, "alertname": "" }), "alertname must not be empty"),
        (json!({ "url": format!("http://u:{secret}@alertmanager.example.com") }), "plain http"),
    ] {
        let error = construct(config).unwrap_err();
        assert!(error.contains(expected), "{error} should contain {expected}");
        assert_text_clean("the error", &error, &secret);
    }
}
