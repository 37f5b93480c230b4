//! The Marquez plugin's config and transport config: typed, unknown keys rejected, HTTPS
//! unless loopback or allowed, no user info or query in the URL it publishes, the API key
//! only ever a reference, and every refusal naming the manifest key.

use floe_core::plugin::categories::LineageBackend as _;
use floe_core::plugin::{Plugin, PluginCategory, ResolvedConfig, find};
use floe_lineage_marquez::{MarquezConfig, MarquezError, MarquezPlugin};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use serde_json::json;

/// Where the manifest puts the plugin's config.
const PATH: &str = "plugins.lineage_backend.config";

fn construct(config: serde_json::Value) -> Result<Box<dyn Plugin>, String> {
    let descriptor = find(PluginCategory::LineageBackend, "marquez").expect("registered");
    (descriptor.construct)(&ResolvedConfig::literal(PATH, config)).map_err(|e| e.to_string())
}

#[test]
fn the_transport_config_names_the_key_by_reference() {
    let secret = planted_secret();
    let plugin = construct(json!({
        "url": "https://marquez.example.com/",
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
fn a_base_path_is_kept_in_the_transport_config() {
    let plugin = MarquezPlugin::new(MarquezConfig::new("https://lineage.example.com/marquez/"));
    assert_eq!(plugin.unwrap().transport_config()["url"], "https://lineage.example.com/marquez");
}

#[test]
fn without_a_key_the_transport_config_has_no_auth() {
    let plugin = MarquezPlugin::new(MarquezConfig::new("http://127.0.0.1:5000")).unwrap();
    assert_eq!(plugin.transport_config().get("auth"), None);
}

/// The transport config is published to other emitters: a URL with a query (which may
/// carry a credential, and which the old plugin copied there and broke the lineage path
/// with) is refused, naming the key, never the value.
#[test]
fn a_url_with_a_query_or_user_info_is_refused_and_never_published() {
    let secret = planted_secret();
    for url in [
        format!("https://marquez.example.com/?api_key={secret}"),
        format!("https://marquez.example.com/#{secret}"),
        format!("https://floe:{secret}@marquez.example.com"),
    ] {
        let error = construct(json!({ "url": url })).expect_err(&url);
        assert!(error.contains(&format!("{PATH}.url: ")), "{error}");
        assert!(error.contains("marquez.example.com"), "{error}");
        assert_text_clean("the error", &error, &secret);
    }
    let typed =
        MarquezPlugin::new(MarquezConfig::new(format!("https://m.example.com/?k={secret}")));
    assert!(matches!(typed, Err(MarquezError::Config { key: "url", .. })), "{typed:?}");
}

#[test]
fn bad_config_names_the_manifest_key_and_never_the_key() {
    let secret = planted_secret();
    let url = "https://marquez.example.com";
    for (config, expected) in [
        (
            json!({ "url": url, "api_key": secret, "transport": "http" }),
            "unknown field `transport`",
        ),
        (
            json!({ "url": "http://marquez.example.com", "api_key": secret }),
            "plugins.lineage_backend.config.url: the url of marquez.example.com uses plain http",
        ),
        (
            json!({ "url": "ftp://marquez.example.com" }),
            "config.url: the url of marquez.example.com has scheme \"ftp\"",
        ),
        (
            json!({ "url": url, "namespace": { "strategy": "simple", "namespace": "" } }),
            "config.namespace: must not be empty",
        ),
        (json!({ "url": url, "namespace": { "strategy": "tenant" } }), "unknown variant `tenant`"),
        (json!({ "url": url, "producer": "floe" }), "config.producer: is not a URI"),
        (json!({ "url": url, "api_key": "" }), "is not a key; leave api_key out to send none"),
        (
            json!({ "url": url, "max_attempts": 11 }),
            "config.max_attempts: max_attempts must be between 1 and 10",
        ),
        (
            json!({ "url": url, "timeout_secs": 0 }),
            "config.timeout_secs: timeout_secs must be between 1 and 300",
        ),
    ] {
        let error = construct(config).unwrap_err();
        assert!(error.contains(expected), "{error} should contain {expected}");
        assert_text_clean("the error", &error, &secret);
    }
    let mut allowed = MarquezConfig::new("http://marquez.internal:5000");
    allowed.allow_insecure_http = true;
    assert!(MarquezPlugin::new(allowed).is_ok());
}
