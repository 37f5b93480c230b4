//! Configuration: the registered plugin builds from manifest config; unknown keys and
//! unusable values are refused naming the key, never showing a credential; the client
//! secret and the tokens go only to `https`, to this machine, or where
//! `allow_insecure_http` says so.

use floe_catalog_polaris::{PolarisConfig, PolarisError, PolarisPlugin};
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

fn refused(config: serde_json::Value) -> PolarisError {
    let config: PolarisConfig = serde_json::from_value(config).expect("the config decodes");
    PolarisPlugin::new(&config).expect_err("the config is refused")
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
fn unusable_values_are_refused_naming_the_key_without_showing_credentials() {
    let secret = planted_secret();
    let cases = [
        (
            "uri",
            json!(format!("https://floe:{secret}@polaris.example.com/api/catalog")),
            "uri: the url of polaris.example.com carries user info",
        ),
        ("uri", json!("polaris"), "uri: the url is not valid"),
        (
            "uri",
            json!("ftp://polaris.example.com/"),
            "uri: the url of polaris.example.com has scheme",
        ),
        (
            "uri",
            json!(format!("https://polaris.example.com/api?token={secret}")),
            "uri: the url of polaris.example.com has a query",
        ),
        (
            "token_url",
            json!(format!("https://floe:{secret}@idp.example.com/token")),
            "token_url: the url of idp.example.com carries user info",
        ),
        ("warehouse", json!(" "), "warehouse: must name a Polaris catalog"),
        ("client_id", json!(""), "client_id: must not be empty"),
        ("client_secret", json!(""), "client_secret: must not be empty"),
        ("timeout_secs", json!(0), "timeout_secs: must be at least 1"),
    ];
    for (key, value, expected) in cases {
        let mut config = base(&secret);
        config[key] = value;

        let error = refused(config);

        assert!(matches!(error, PolarisError::Config { key: k, .. } if k == key), "{error:?}");
        assert!(error.to_string().starts_with("invalid configuration: "), "{error}");
        assert!(error.to_string().contains(expected), "{key}: {error}");
        assert_text_clean("config error", &format!("{error} {error:?}"), &secret);
    }
}

#[test]
fn plain_http_to_another_machine_is_refused_for_the_catalog_and_the_token_endpoint() {
    let secret = planted_secret();
    let mut remote_catalog = base(&secret);
    remote_catalog["uri"] = json!("http://polaris.internal:8181/api/catalog");
    let mut remote_tokens = base(&secret);
    remote_tokens["token_url"] = json!("http://idp.internal/oauth/token");

    let catalog = refused(remote_catalog.clone());
    let tokens = refused(remote_tokens.clone());

    assert_eq!(
        catalog.to_string(),
        "invalid configuration: uri: the url of polaris.internal:8181 uses plain http: use https, or set allow_insecure_http for a trusted network"
    );
    assert!(matches!(tokens, PolarisError::Config { key: "token_url", .. }), "{tokens:?}");
    assert!(tokens.to_string().contains("idp.internal uses plain http"), "{tokens}");
    for mut allowed in [remote_catalog, remote_tokens] {
        allowed["allow_insecure_http"] = json!(true);
        let config: PolarisConfig = serde_json::from_value(allowed).unwrap();
        assert!(PolarisPlugin::new(&config).is_ok(), "allow_insecure_http opts in");
    }
    let mut loopback = base(&secret);
    loopback["uri"] = json!("http://127.0.0.1:8181/api/catalog");
    loopback["token_url"] = json!("http://localhost:8182/oauth/token");
    let config: PolarisConfig = serde_json::from_value(loopback).unwrap();
    assert!(PolarisPlugin::new(&config).is_ok(), "plain http to this machine is fine");
}

#[test]
fn floe_compile_refuses_the_insecure_configuration_naming_the_manifest_key() {
    let secret = planted_secret();
    let error = floe_otel_testkit::fixtures::compile_manifest(
        "api_version: floe/v1\nplatform: { name: p, namespace: n }\nplugins:\n  catalog:\n    type: polaris\n    config: { uri: \"https://polaris.example.com/api/catalog\", token_url: \"http://10.0.0.1:8080/oauth/token\", warehouse: lake, client_id: floe, client_secret: \"${secret:polaris_secret}\" }\n",
        &[("FLOE_SECRET_POLARIS_SECRET", &secret)],
    )
    .unwrap_err();

    let text = error.to_string();
    assert!(
        text.contains("plugin catalog/polaris: plugins.catalog.config.token_url: the url of 10.0.0.1:8080 uses plain http"),
        "{text}"
    );
    assert!(text.contains("allow_insecure_http"), "{text}");
    assert_text_clean("compile error", &format!("{text} {error:?}"), &secret);
}
