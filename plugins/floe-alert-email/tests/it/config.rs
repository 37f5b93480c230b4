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

#[test]
fn the_plugins_debug_shows_no_address_and_no_password() {
    let secret = planted_secret();
    let mut config = floe_alert_email::EmailConfig::new(
        "smtp.example.com",
        "Floe Alerts <alerts-q4z@example.com>",
        &["oncall-x9q@example.com", "lead-x9q@example.com"],
    );
    config.cc = vec!["audit-x9q@example.com".to_owned()];
    config.username = Some("floe".to_owned());
    config.password = Some(secret.clone().into());

    let config_debug = format!("{config:?}");
    let plugin_debug = format!("{:?}", floe_alert_email::EmailAlertPlugin::new(config).unwrap());

    for debug in [&config_debug, &plugin_debug] {
        assert!(debug.contains("smtp.example.com"), "{debug}");
        for local_part in ["alerts-q4z", "oncall-x9q", "lead-x9q", "audit-x9q"] {
            assert!(!debug.contains(local_part), "{local_part} shown: {debug}");
        }
        assert_text_clean("the Debug output", debug, &secret);
    }
    assert!(plugin_debug.contains("recipient_count: 3"), "{plugin_debug}");
}

#[test]
fn floe_compile_names_the_manifest_key_of_a_refused_value() {
    let secret = planted_secret();
    let base = |extra: serde_json::Value| {
        let mut config =
            json!({ "host": "smtp.example.com", "from": "a@example.com", "to": ["b@example.com"] });
        config.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        config
    };
    for (config, key) in [
        (base(json!({ "host": " " })), "host"),
        (base(json!({ "to": [] })), "to"),
        (base(json!({ "to": ["b@example.com", "oncall-x9q at example.com"] })), "to[1]"),
        (base(json!({ "from": "alerts-x9q" })), "from"),
        (base(json!({ "password": secret })), "username"),
        (base(json!({ "tls": "none" })), "tls"),
        (base(json!({ "max_attempts": 0 })), "max_attempts"),
        (base(json!({ "ca_certificate": "/nonexistent/ca.pem" })), "ca_certificate"),
    ] {
        let error = construct(config).unwrap_err();
        let expected =
            format!("plugin alert_channel/email: plugins.alert_channel[3].config.{key}: ");
        assert!(error.starts_with(&expected), "{error} should start with {expected}");
        assert_text_clean("the error", &error, &secret);
        assert!(!error.contains("x9q"), "an address is shown: {error}");
    }
}

#[test]
fn plain_smtp_is_accepted_to_loopback_or_with_the_explicit_opt_in() {
    let base = json!({ "from": "a@example.com", "to": ["b@example.com"], "tls": "none" });
    let with = |extra: serde_json::Value| {
        let mut config = base.clone();
        config.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        config
    };
    assert!(construct(with(json!({ "host": "127.0.0.1" }))).is_ok());
    assert!(construct(with(json!({ "host": "localhost" }))).is_ok());
    assert!(
        construct(with(json!({ "host": "relay.internal", "allow_insecure_smtp": true }))).is_ok()
    );
    assert!(construct(with(json!({ "host": "relay.internal" }))).is_err());
}
