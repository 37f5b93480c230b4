//! The e-mail plugin's config: typed, unknown keys rejected, addresses and password never
//! shown in errors.

use floe_core::plugin::{Plugin, PluginCategory, ResolvedConfig, find};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use serde_json::json;

fn construct(config: serde_json::Value) -> Result<Box<dyn Plugin>, String> {
    let descriptor = find(PluginCategory::AlertChannel, "email").expect("registered");
    (descriptor.construct)(&ResolvedConfig::literal("plugins.alert_channel[3].config", config))
        .map_err(|e| e.to_string())
}

#[test]
fn the_plugin_builds_from_manifest_config_and_generates_no_address_or_password() {
    let secret = planted_secret();
    let plugin = construct(json!({
        "host": "smtp.example.com",
        "from": "alerts@example.com",
        "to": ["oncall@example.com", "lead@example.com"],
        "username": "floe",
        "password": secret,
    }))
    .unwrap();
    let generated = plugin.generated_config().unwrap();
    assert_eq!(
        generated,
        json!({ "channel": "email", "destination": "smtp.example.com:587", "recipient_count": 2 })
    );
    assert_text_clean("the plugin's Debug", &format!("{plugin:?}"), &secret);
}

#[test]
fn bad_config_names_the_problem_and_never_an_address_or_the_password() {
    let secret = planted_secret();
    let base = |extra: serde_json::Value| {
        let mut config =
            json!({ "host": "smtp.example.com", "from": "a@example.com", "to": ["b@example.com"] });
        config.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        config
    };
    for (config, expected) in [
        (base(json!({ "retries": 2 })), "unknown field `retries`"),
        (base(json!({ "to": [] })), "to must not be empty"),
        (base(json!({ "to": ["oncall-x9q at example.com"] })), "to[0] is not a valid mailbox"),
        (base(json!({ "password": secret })), "set both username and password"),
        (
            base(json!({ "tls": "none", "username": "u", "password": secret })),
            "sends mail and password in clear",
        ),
        (
            base(json!({ "tls": "starttls", "ca_certificate": "/nonexistent/ca.pem" })),
            "cannot use ca_certificate",
        ),
        (base(json!({ "timeout_secs": 0 })), "timeout_secs must be between 1 and 300"),
    ] {
        let error = construct(config).unwrap_err();
        assert!(error.contains(expected), "{error} should contain {expected}");
        assert_text_clean("the error", &error, &secret);
        assert!(!error.contains("oncall-x9q"), "{error}");
    }
}
