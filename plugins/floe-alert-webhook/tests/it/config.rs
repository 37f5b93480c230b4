//! The webhook plugin's config: typed, unknown keys rejected, URL and secret never shown.

use floe_alert_webhook::{WebhookAlertPlugin, WebhookConfig};
use floe_core::plugin::{PluginCategory, ResolvedConfig, find};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use serde_json::json;

fn construct(config: serde_json::Value) -> Result<Box<dyn floe_core::plugin::Plugin>, String> {
    let descriptor = find(PluginCategory::AlertChannel, "webhook").expect("registered");
    (descriptor.construct)(&ResolvedConfig::literal("plugins.alert_channel[0].config", config))
        .map_err(|e| e.to_string())
}

#[test]
fn the_plugin_is_registered_and_builds_from_manifest_config() {
    let secret = planted_secret();
    let plugin = construct(json!({
        "url": format!("https://hooks.example.com/in/{secret}"),
        "signing_secret": secret,
        "source": "/floe/analytics",
    }))
    .expect("a valid config");
    assert_eq!(plugin.metadata().tracer_name(), Some("floe.alert.webhook"));
    let generated = plugin.generated_config().unwrap();
    assert_eq!(generated["destination"], "hooks.example.com");
    assert_eq!(generated["signed"], true);
    assert_text_clean("the generated config", &generated.to_string(), &secret);
    assert_text_clean("the plugin's Debug", &format!("{plugin:?}"), &secret);
}

#[test]
fn unknown_keys_are_rejected_with_their_path() {
    let error = construct(json!({ "url": "https://h.example.com/x", "retries": 3 })).unwrap_err();
    assert!(error.contains("unknown field `retries`"), "{error}");
    assert!(error.contains("plugins.alert_channel[0].config"), "{error}");
}

#[test]
fn plain_http_is_refused_unless_loopback_or_explicitly_allowed() {
    let secret = planted_secret();
    let url = format!("http://hooks.example.com/in/{secret}");
    let error = WebhookAlertPlugin::new(WebhookConfig::new(&url)).unwrap_err().to_string();
    assert!(error.contains("uses plain http"), "{error}");
    assert_text_clean("the error", &error, &secret);
    let mut allowed = WebhookConfig::new(&url);
    allowed.allow_insecure_http = true;
    assert!(WebhookAlertPlugin::new(allowed).is_ok());
    assert!(WebhookAlertPlugin::new(WebhookConfig::new("http://127.0.0.1:9/in")).is_ok());
}

#[test]
fn bad_values_name_the_setting_and_never_the_url() {
    let secret = planted_secret();
    for (config, expected) in [
        (json!({ "url": format!("ftp://u:{secret}@h.example.com/") }), "scheme \"ftp\""),
        (json!({ "url": format!("not a url {secret}") }), "the url is not valid"),
        (json!({ "url": "https://h.example.com/", "timeout_secs": 0 }), "timeout_secs must be"),
        (
            json!({ "url": "https://h.example.com/", "signing_secret": "" }),
            "config.signing_secret: signing_secret must not be empty",
        ),
        (json!({ "url": "https://h.example.com/", "source": " " }), "source must not be empty"),
        (json!({ "url": format!("https://u:{secret}@h.example.com/") }), "carries user info"),
    ] {
        let error = construct(config).unwrap_err();
        assert!(error.contains(expected), "{error} should contain {expected}");
        assert_text_clean("the error", &error, &secret);
    }
}

#[test]
fn floe_compile_names_the_manifest_key_of_a_refused_value() {
    let secret = planted_secret();
    let url = format!("https://hooks.example.com/in/{secret}");
    for (config, key) in [
        (json!({ "url": url.replace("https:", "http:") }), "url"),
        (json!({ "url": url, "max_attempts": 0 }), "max_attempts"),
        (json!({ "url": url, "signing_secret": "" }), "signing_secret"),
        (json!({ "url": url, "source": "" }), "source"),
    ] {
        let error = construct(config).unwrap_err();
        let expected =
            format!("plugin alert_channel/webhook: plugins.alert_channel[0].config.{key}: ");
        assert!(error.starts_with(&expected), "{error} should start with {expected}");
        assert_text_clean("the error", &error, &secret);
    }
}
