//! Plugin config references and typed decoding.

use std::collections::BTreeMap;

use floe_core::plugin::{EnvSecrets, PluginErrorKind, ResolvedConfig, resolve_references};
use floe_core::secret::Secret;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    url: String,
    token: Secret<String>,
    #[serde(default)]
    retries: u8,
}

fn secrets() -> BTreeMap<String, Secret<String>> {
    BTreeMap::from([("api_token".to_owned(), Secret::new("FLOETEST-tok-123".to_owned()))])
}

fn env(key: &str) -> Option<String> {
    (key == "API_HOST").then(|| "api.internal".to_owned())
}

#[test]
fn references_are_resolved_inside_strings_arrays_and_maps() {
    let raw = json!({ "url": "https://${env:API_HOST}/v1", "token": "${secret:api_token}", "tags": ["${env:API_HOST}"], "jinja": "{{ '${x}' }}" });
    let resolved = resolve_references("plugins.x.config", &raw, &secrets(), &env).unwrap();
    let value: serde_json::Value = resolved.decode::<serde_json::Value>("x").unwrap();
    assert_eq!(value["url"], "https://api.internal/v1");
    assert_eq!(value["token"], "FLOETEST-tok-123");
    assert_eq!(value["tags"][0], "api.internal");
    assert_eq!(value["jinja"], "{{ '${x}' }}", "unknown reference kinds are kept as written");
    assert!(!format!("{resolved:?}").contains("FLOETEST"), "Debug never shows the values");
}

#[test]
fn secrets_can_come_from_floe_secret_variables() {
    let vars = |key: &str| (key == "FLOE_SECRET_API_TOKEN").then(|| "from-env".to_owned());
    let resolved =
        resolve_references("p", &json!("${secret:api-token}"), &EnvSecrets(&vars), &vars).unwrap();
    assert_eq!(resolved.decode::<String>("x").unwrap(), "from-env");
}

#[test]
fn an_unresolvable_reference_names_path_kind_and_name() {
    let raw = json!({ "nested": [{ "token": "${secret:missing}" }] });
    let err = resolve_references("plugins.x.config", &raw, &secrets(), &env).unwrap_err();
    assert_eq!(
        err.to_string(),
        "plugins.x.config.nested[0].token: cannot resolve ${secret:missing}: no such secret"
    );
    let err = resolve_references("p", &json!("${env:NOPE}"), &secrets(), &env).unwrap_err();
    assert_eq!(err.to_string(), "p: cannot resolve ${env:NOPE}: the variable is not set");
}

#[test]
fn decoding_errors_name_the_key_and_never_a_secret() {
    let raw =
        json!({ "url": "u", "token": "${secret:api_token}", "retries": "${secret:api_token}" });
    let resolved = resolve_references("plugins.x.config", &raw, &secrets(), &env).unwrap();
    let err = resolved.decode::<Config>("alert_channel/x").unwrap_err();
    assert_eq!(err.kind, PluginErrorKind::Config);
    assert_eq!(
        err.message.as_str(),
        "plugins.x.config.retries: invalid type: string \"<redacted>\", expected u8"
    );
    let ok = ResolvedConfig::literal("p", json!({ "url": "u", "token": "t" }))
        .decode::<Config>("x")
        .unwrap();
    assert_eq!((ok.url.as_str(), ok.token.expose().as_str(), ok.retries), ("u", "t", 0));
}

#[test]
fn a_value_refused_after_decoding_names_its_key_and_never_a_secret() {
    let raw = json!({ "rules": [{ "cidr": "${secret:api_token}" }] });
    let resolved = resolve_references("plugins.x[1].config", &raw, &secrets(), &env).unwrap();
    let value = resolved.decode::<serde_json::Value>("x").unwrap();
    let cidr = value["rules"][0]["cidr"].as_str().unwrap();

    let err =
        resolved.invalid("network_security/x", "rules[0].cidr", format!("{cidr} is no block"));

    assert_eq!((err.kind, err.plugin.as_str()), (PluginErrorKind::Config, "network_security/x"));
    assert_eq!(err.message.as_str(), "plugins.x[1].config.rules[0].cidr: <redacted> is no block");
    assert_eq!(resolved.key_path("rules[0]"), "plugins.x[1].config.rules[0]");
}

#[test]
fn a_value_that_decodes_but_is_refused_names_its_manifest_key_without_a_secret() {
    let raw = json!({ "url": "${secret:api_token}" });
    let resolved = resolve_references("plugins.x[1].config", &raw, &secrets(), &env).unwrap();
    let err = resolved.invalid("x/y", "url", "FLOETEST-tok-123 is not a URL");
    assert_eq!(err.kind, PluginErrorKind::Config);
    assert_eq!(err.to_string(), "plugin x/y: plugins.x[1].config.url: <redacted> is not a URL");
    let whole = resolved.invalid("x/y", "", "holds no url");
    assert_eq!(whole.to_string(), "plugin x/y: plugins.x[1].config: holds no url");
}
