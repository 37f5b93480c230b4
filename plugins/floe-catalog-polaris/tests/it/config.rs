//! Configuration: the registered plugin builds from manifest config; unknown keys and
//! unusable values are refused naming the key, never showing a credential.

use floe_catalog_polaris::{PolarisConfig, PolarisPlugin};
use floe_core::plugin::{PluginCategory, PluginErrorKind, ResolvedConfig, find};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use serde_json::json;

fn base(secret: &str) -> serde_json::Value {
    json!({
        "uri": "https://polaris.example.com/api/catalog",
        "warehouse": "lake",
        "client_id": "floe",
        "client_secret": secret,
    })
}

#[test]
fn the_plugin_is_registered_and_builds_from_manifest_config() {
    let secret = planted_secret();
    let descriptor =
        find(PluginCategory::Catalog, "polaris").expect("floe-catalog-polaris registers itself");
    assert_eq!(descriptor.metadata.tracer_name(), Some("floe.catalog.polaris"));
    let config = ResolvedConfig::literal("plugins.catalog.config", base(&secret));

    let plugin = (descriptor.construct)(&config).unwrap();

    let generated = plugin.generated_config().unwrap();
    assert_eq!(
        generated,
        json!({
            "type": "rest",
            "uri": "https://polaris.example.com/api/catalog",
            "warehouse": "lake",
            "token_endpoint": "polaris.example.com",
            "credential_vending": true,
        })
    );
    assert_text_clean("generated config", &generated.to_string(), &secret);
}

#[test]
fn unknown_keys_are_refused_naming_the_path() {
    let descriptor = find(PluginCategory::Catalog, "polaris").unwrap();
    let mut config = base("x");
    config["client_secrt"] = json!("y");
    let config = ResolvedConfig::literal("plugins.catalog.config", config);

    let error = (descriptor.construct)(&config).unwrap_err();

    assert_eq!(error.kind, PluginErrorKind::Config);
    assert!(error.to_string().contains("plugins.catalog.config"), "{error}");
    assert!(error.to_string().contains("client_secrt"), "{error}");
}

#[test]
fn unusable_values_are_refused_without_showing_credentials() {
    let secret = planted_secret();
    let cases = [
        (
            "uri",
            json!(format!("https://floe:{secret}@polaris.example.com/api/catalog")),
            "uri must not carry user info",
        ),
        ("uri", json!("polaris"), "uri is not a URL"),
        ("uri", json!("ftp://polaris.example.com/"), "uri: invalid catalog configuration"),
        (
            "token_url",
            json!(format!("https://floe:{secret}@idp.example.com/token")),
            "token_url must not carry user info",
        ),
        ("warehouse", json!(" "), "warehouse must name a Polaris catalog"),
        ("timeout_secs", json!(0), "timeout_secs must be at least 1"),
    ];
    for (key, value, expected) in cases {
        let mut config = base(&secret);
        config[key] = value;
        let config: PolarisConfig = serde_json::from_value(config).unwrap();

        let error = PolarisPlugin::new(&config).unwrap_err();

        assert!(error.to_string().contains(expected), "{key}: {error}");
        assert_text_clean("config error", &error.to_string(), &secret);
    }
}
