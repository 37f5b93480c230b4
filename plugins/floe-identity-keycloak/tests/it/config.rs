//! Configuration: unknown keys and unusable values are refused with messages that name
//! the key and never show a credential; plain `http` to another host is refused unless
//! explicitly allowed, and `floe compile` names the manifest key; the plugin is
//! registered and builds from config.

use floe_core::plugin::{PluginCategory, PluginErrorKind, ResolvedConfig, find};
use floe_identity_keycloak::{KeycloakConfig, KeycloakError, KeycloakPlugin};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use serde_json::json;

fn base(client_secret: &str) -> serde_json::Value {
    json!({ "server_url": "https://sso.example.com", "realm": "floe", "client_id": "floe-platform", "client_secret": client_secret })
}

fn build(config: serde_json::Value) -> Result<KeycloakPlugin, KeycloakError> {
    KeycloakPlugin::new(&serde_json::from_value::<KeycloakConfig>(config).expect("config shape"))
}

#[test]
fn the_plugin_is_registered_and_generates_config_without_the_secret() {
    let secret = planted_secret();
    let descriptor = find(PluginCategory::Identity, "keycloak").expect("registered");
    assert_eq!(descriptor.metadata.tracer_name(), Some("floe.identity.keycloak"));

    let plugin =
        (descriptor.construct)(&ResolvedConfig::literal("plugins.identity", base(&secret)))
            .unwrap();

    let generated = plugin.generated_config().unwrap();
    assert_eq!(
        generated,
        json!({
            "provider": "keycloak", "issuer": "https://sso.example.com/realms/floe",
            "client_id": "floe-platform", "audience": "account",
            "authorized_parties": ["floe-platform"],
        })
    );
    assert_text_clean("generated config", &generated.to_string(), &secret);
}

#[test]
fn unknown_keys_are_refused_naming_the_path() {
    let descriptor = find(PluginCategory::Identity, "keycloak").unwrap();
    let mut config = base("s");
    config["realms"] = json!(["a"]);

    let error = (descriptor.construct)(&ResolvedConfig::literal("plugins.identity.config", config))
        .unwrap_err();

    assert_eq!(error.kind, PluginErrorKind::Config);
    assert!(error.to_string().contains("realms"), "{error}");
}

#[test]
fn unusable_values_are_refused_naming_the_key_without_showing_credentials() {
    let secret = planted_secret();
    let with = |key: &str, value: serde_json::Value| {
        let mut config = base(&secret);
        config[key] = value;
        config
    };
    let cases = [
        (
            with("server_url", json!("sso.example.com")),
            "server_url is invalid: the url is not valid",
        ),
        (
            with("server_url", json!(format!("https://admin:{secret}@sso"))),
            "server_url is invalid: the url of sso carries user info",
        ),
        (
            with("server_url", json!(format!("https://sso/?token={secret}"))),
            "server_url is invalid: the url of sso has a query",
        ),
        (with("server_url", json!("ftp://sso.example.com")), "server_url is invalid: the url of"),
        (with("realm", json!("a/b")), "realm is invalid: must be a name"),
        (with("realm", json!("..")), "realm is invalid: must be a name"),
        (with("client_id", json!("")), "client_id is invalid: must not be empty"),
        (with("client_secret", json!(" ")), "client_secret is invalid: must not be empty"),
        (with("audience", json!("")), "audience is invalid: must not be empty"),
        (with("authorized_parties", json!([])), "authorized_parties is invalid: must name"),
        (with("algorithms", json!(["HS256"])), "algorithms is invalid: must be RSA"),
        (with("algorithms", json!([])), "algorithms is invalid: must be RSA"),
        (with("timeout_secs", json!(0)), "timeout_secs is invalid: must be at least 1"),
    ];
    for (config, expected) in cases {
        let error = build(config).unwrap_err();
        assert_eq!(error.kind(), PluginErrorKind::Config);
        assert!(
            error.to_string().starts_with(&format!("the configuration key {expected}")),
            "{error} should name {expected}"
        );
        assert_text_clean("config error", &format!("{error} {error:?}"), &secret);
    }
}

/// Issue 19: the client secret and users' passwords went over plain `http` to any host.
#[test]
fn plain_http_to_a_remote_keycloak_is_refused_unless_explicitly_allowed() {
    let insecure =
        json!({ "server_url": "http://sso.example.com", "realm": "floe", "client_id": "c" });

    let error = build(insecure.clone()).unwrap_err();

    assert_eq!(
        error.to_string(),
        "the configuration key server_url is invalid: the url of sso.example.com uses plain http: use https, or set allow_insecure_http for a trusted network"
    );
    let mut allowed = insecure;
    allowed["allow_insecure_http"] = json!(true);
    assert!(build(allowed).is_ok(), "allow_insecure_http opts in");
    for local in ["http://127.0.0.1:8080", "http://localhost:8080", "https://sso.example.com"] {
        let config = json!({ "server_url": local, "realm": "floe", "client_id": "c" });
        assert!(build(config).is_ok(), "{local}");
    }
}

#[test]
fn floe_compile_refuses_the_insecure_configuration_naming_the_manifest_key() {
    let secret = planted_secret();
    let error = floe_otel_testkit::fixtures::compile_manifest(
        "api_version: floe/v1\nplatform: { name: p, namespace: n }\nplugins:\n  identity:\n    type: keycloak\n    config: { server_url: \"http://sso.example.com\", realm: floe, client_id: c, client_secret: \"${secret:kc_secret}\" }\n",
        &[("FLOE_SECRET_KC_SECRET", &secret)],
    )
    .unwrap_err();

    let text = error.to_string();
    assert!(
        text.contains("plugin identity/keycloak: plugins.identity.config.server_url: the url of sso.example.com uses plain http"),
        "{text}"
    );
    assert!(text.contains("allow_insecure_http"), "{text}");
    assert_text_clean("compile error", &format!("{text} {error:?}"), &secret);
}
