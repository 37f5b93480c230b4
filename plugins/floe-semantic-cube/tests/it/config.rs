//! Configuration: the registered plugin builds from manifest config; unknown keys and
//! unusable values are refused naming the key, never showing a credential.

use floe_core::plugin::{PluginCategory, PluginErrorKind, ResolvedConfig, find};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use floe_semantic_cube::{CubeConfig, CubePlugin};
use serde_json::json;

use crate::peer;

#[test]
fn the_plugin_is_registered_and_builds_from_manifest_config() {
    let descriptor =
        find(PluginCategory::SemanticLayer, "cube").expect("floe-semantic-cube registers itself");
    assert_eq!(descriptor.metadata.tracer_name(), Some("floe.semantic.cube"));
    let config = ResolvedConfig::literal(
        "plugins.semantic_layer.config",
        peer::config("http://cube.floe.svc:4000"),
    );

    let plugin = (descriptor.construct)(&config).unwrap();

    let generated = plugin.generated_config().unwrap();
    assert_eq!(generated["provider"], "cube");
    assert_eq!(generated["api"]["rest"], "http://cube.floe.svc:4000/cubejs-api/v1");
}

#[test]
fn unknown_keys_are_refused_naming_the_path() {
    let descriptor = find(PluginCategory::SemanticLayer, "cube").unwrap();
    let mut config = peer::config("http://cube:4000");
    config["datasource"]["pasword"] = json!("x");
    let config = ResolvedConfig::literal("plugins.semantic_layer.config", config);

    let error = (descriptor.construct)(&config).unwrap_err();

    assert_eq!(error.kind, PluginErrorKind::Config);
    assert!(error.to_string().contains("plugins.semantic_layer.config"), "{error}");
    assert!(error.to_string().contains("pasword"), "{error}");
}

#[test]
fn unusable_values_are_refused_without_showing_credentials() {
    let password = planted_secret();
    let cases = [
        ("server_url", json!("not a url"), "server_url is not a URL"),
        ("server_url", json!(format!("ftp://cube:{password}@h")), "http:// or https://"),
        ("api_base_path", json!("cubejs-api"), "api_base_path must start with /"),
        ("timeout_secs", json!(0), "timeout_secs must be at least 1"),
    ];
    for (key, value, expected) in cases {
        let mut config = peer::config("http://cube:4000");
        config[key] = value;
        let config: CubeConfig = serde_json::from_value(config).unwrap();

        let error = CubePlugin::new(config).unwrap_err();

        assert!(error.to_string().contains(expected), "{key}: {error}");
        assert_text_clean("config error", &error.to_string(), &password);
    }
}

#[test]
fn user_info_over_plain_http_to_another_host_needs_allow_insecure_http() {
    let password = planted_secret();
    let with_user_info = format!("http://floe:{password}@cube.floe.svc:4000");
    let build = |url: &str, allow: bool| {
        let mut config = peer::config(url);
        config["allow_insecure_http"] = json!(allow);
        CubePlugin::new(serde_json::from_value::<CubeConfig>(config).unwrap())
    };

    let error = build(&with_user_info, false).unwrap_err();

    let text = error.to_string();
    assert!(text.contains("server_url") && text.contains("allow_insecure_http"), "{text}");
    assert_text_clean("config error", &format!("{text} {error:?}"), &password);
    build(&with_user_info, true).expect("allowed explicitly");
    build("http://cube.floe.svc:4000", false).expect("no credential travels: plain http is fine");
    build(&format!("https://floe:{password}@cube.floe.svc"), false).expect("https carries it");
}
