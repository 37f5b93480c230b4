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
        "url": "https://alertmanager.example.com",
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
        (json!({ "url": format!("https://u:{secret}@alertmanager.example.com") }), "user info"),
        (json!({ "url": format!("{url}/?token={secret}") }), "has a query"),
    ] {
        let error = construct(config).unwrap_err();
        assert!(error.contains(expected), "{error} should contain {expected}");
        assert_text_clean("the error", &error, &secret);
    }
}

#[test]
fn floe_compile_names_the_manifest_key_of_a_refused_value() {
    let secret = planted_secret();
    let url = "https://alertmanager.example.com";
    for (config, key) in [
        (json!({ "url": format!("http://alertmanager.example.com/{secret}") }), "url"),
        (json!({ "url": format!("https://am:{secret}@alertmanager.example.com") }), "url"),
        (json!({ "url": url, "generator_url": "contracts" }), "generator_url"),
        (json!({ "url": url, "timeout_secs": 0 }), "timeout_secs"),
        (json!({ "url": url, "max_attempts": 11 }), "max_attempts"),
        (json!({ "url": url, "alertname": " " }), "alertname"),
        (
            json!({ "url": url, "bearer_token": secret, "basic_auth": { "username": "u", "password": secret } }),
            "basic_auth",
        ),
    ] {
        let error = construct(config).unwrap_err();
        let expected =
            format!("plugin alert_channel/alertmanager: plugins.alert_channel[2].config.{key}: ");
        assert!(error.starts_with(&expected), "{error} should start with {expected}");
        assert_text_clean("the error", &error, &secret);
    }
}

#[test]
fn plain_http_is_accepted_to_loopback_or_with_the_explicit_opt_in() {
    assert!(construct(json!({ "url": "http://127.0.0.1:9093" })).is_ok());
    assert!(construct(json!({ "url": "http://[::1]:9093" })).is_ok());
    let opted_in =
        json!({ "url": "http://alertmanager.monitoring:9093", "allow_insecure_http": true });
    assert!(construct(opted_in).is_ok());
}
