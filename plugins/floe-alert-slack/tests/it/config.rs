//! The Slack plugin's config: typed, unknown keys rejected, the webhook URL never shown.

use floe_alert_slack::{SlackAlertPlugin, SlackConfig};
use floe_core::plugin::{Plugin, PluginCategory, ResolvedConfig, find};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use serde_json::json;

fn construct(config: serde_json::Value) -> Result<Box<dyn Plugin>, String> {
    let descriptor = find(PluginCategory::AlertChannel, "slack").expect("registered");
    (descriptor.construct)(&ResolvedConfig::literal("plugins.alert_channel[1].config", config))
        .map_err(|e| e.to_string())
}

#[test]
fn the_plugin_builds_from_manifest_config_and_generates_no_secret() {
    let secret = planted_secret();
    let plugin = construct(json!({
        "webhook_url": format!("https://hooks.slack.com/services/T0/B0/{secret}"),
        "channel": "#data-alerts",
    }))
    .unwrap();
    let generated = plugin.generated_config().unwrap();
    assert_eq!(generated, json!({ "channel": "slack", "destination": "#data-alerts" }));
    assert_text_clean("the plugin's Debug", &format!("{plugin:?}"), &secret);
}

#[test]
fn bad_config_names_the_problem_and_never_the_url() {
    let secret = planted_secret();
    let url = format!("https://hooks.slack.com/services/T0/B0/{secret}");
    for (config, expected) in [
        (json!({ "webhook_url": url, "icon": "x" }), "unknown field `icon`"),
        (json!({ "webhook_url": url, "channel": "#bad name" }), "is not a channel name"),
        (json!({ "webhook_url": url, "max_attempts": 0 }), "max_attempts must be between 1 and 10"),
        (
            json!({ "webhook_url": format!("http://hooks.slack.com/services/{secret}") }),
            "plain http",
        ),
        (
            json!({ "webhook_url": format!("https://bot:{secret}@hooks.slack.com/services/x") }),
            "carries user info",
        ),
    ] {
        let error = construct(config).unwrap_err();
        assert!(error.contains(expected), "{error} should contain {expected}");
        assert_text_clean("the error", &error, &secret);
    }
}

#[test]
fn a_webhook_on_loopback_or_explicitly_allowed_may_be_plain_http() {
    assert!(SlackAlertPlugin::new(SlackConfig::new("http://127.0.0.1:1/services/x")).is_ok());
    let mut allowed = SlackConfig::new("http://slack-proxy.internal/services/x");
    allowed.allow_insecure_http = true;
    assert!(SlackAlertPlugin::new(allowed).is_ok());
}

#[test]
fn floe_compile_names_the_manifest_key_of_a_refused_value() {
    let secret = planted_secret();
    let url = format!("https://hooks.slack.com/services/T0/B0/{secret}");
    for (config, key) in [
        (json!({ "webhook_url": url.replace("https:", "http:") }), "webhook_url"),
        (json!({ "webhook_url": format!("ftp://hooks.slack.com/{secret}") }), "webhook_url"),
        (json!({ "webhook_url": url, "channel": "#a b" }), "channel"),
        (json!({ "webhook_url": url, "timeout_secs": 301 }), "timeout_secs"),
    ] {
        let error = construct(config).unwrap_err();
        let expected =
            format!("plugin alert_channel/slack: plugins.alert_channel[1].config.{key}: ");
        assert!(error.starts_with(&expected), "{error} should start with {expected}");
        assert_text_clean("the error", &error, &secret);
    }
}
