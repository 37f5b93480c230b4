//! The Marquez plugin's config and transport config: typed, unknown keys rejected, HTTPS
//! unless loopback or allowed, the API key only ever a reference.

use floe_core::plugin::categories::LineageBackend as _;
use floe_core::plugin::{Plugin, PluginCategory, ResolvedConfig, find};
use floe_lineage_marquez::{MarquezConfig, MarquezPlugin};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use serde_json::json;

fn construct(config: serde_json::Value) -> Result<Box<dyn Plugin>, String> {
    let descriptor = find(PluginCategory::LineageBackend, "marquez").expect("registered");
    (descriptor.construct)(&ResolvedConfig::literal("plugins.lineage_backend.config", config))
        .map_err(|e| e.to_string())
}

#[test]
fn the_transport_config_names_the_key_by_reference_and_drops_user_info() {
    let secret = planted_secret();
    let plugin = construct(json!({
        "url": format!("https://floe:{secret}@marquez.example.com/"),
        "api_key": secret,
        "api_key_secret": "marquez_api_key",
        "namespace": { "strategy": "centralized", "environment": "prod", "platform": "lake" },
    }))
    .unwrap();
    let generated = plugin.generated_config().unwrap();
    assert_eq!(
        generated,
        json!({
            "type": "http",
            "url": "https://marquez.example.com",
            "endpoint": "api/v1/lineage",
            "timeout": 10,
            "namespace": "prod.lake",
            "auth": { "type": "api_key", "apiKey": "${secret:marquez_api_key}" },
        })
    );
    assert_text_clean("the plugin's Debug", &format!("{plugin:?}"), &secret);
}

#[test]
fn without_a_key_the_transport_config_has_no_auth() {
    let plugin = MarquezPlugin::new(MarquezConfig::new("http://127.0.0.1:5000")).unwrap();
    assert_eq!(plugin.transport_config().get("auth"), None);
}

#[test]
fn bad_config_names_the_problem_and_never_the_key() {
    let secret = planted_secret();
    let url = "https://marquez.example.com";
    for (config, expected) in [
        (
            json!({ "url": url, "api_key": secret, "transport": "http" }),
            "unknown field `transport`",
        ),
        (json!({ "url": format!("http://u:{secret}@marquez.example.com") }), "uses plain http"),
        (
            json!({ "url": url, "namespace": { "strategy": "simple", "namespace": "" } }),
            "namespace must not be empty",
        ),
        (json!({ "url": url, "namespace": { "strategy": "tenant" } }), "unknown variant `tenant`"),
        (json!({ "url": url, "producer": "floe" }), "producer is not a URI"),
        (json!({ "url": url, "max_attempts": 11 }), "max_attempts must be between 1 and 10"),
    ] {
        let error = construct(config).unwrap_err();
        assert!(error.contains(expected), "{error} should contain {expected}");
        assert_text_clean("the error", &error, &secret);
    }
    let mut allowed = MarquezConfig::new("http://marquez.internal:5000");
    allowed.allow_insecure_http = true;
    assert!(MarquezPlugin::new(allowed).is_ok());
}
