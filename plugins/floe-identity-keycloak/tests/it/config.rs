//! Configuration: unknown keys and unusable values are refused with messages that name
//! the key and never show a credential; the plugin is registered and builds from config.

use floe_core::plugin::categories::{IdentityProvider as _, TokenGrant};
use floe_core::plugin::{PluginCategory, PluginErrorKind, ResolvedConfig, find};
use floe_identity_keycloak::{KeycloakConfig, KeycloakError, KeycloakPlugin};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::{Capture, expect};
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
        json!({ "provider": "keycloak", "issuer": "https://sso.example.com/realms/floe", "client_id": "floe-platform", "audience": "floe-platform" })
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
fn unusable_values_are_refused_without_showing_credentials() {
    let secret = planted_secret();
    let with = |key: &str, value: serde_json::Value| {
        let mut config = base(&secret);
        config[key] = value;
        config
    };
    let cases = [
        (with("server_url", json!("sso.example.com")), "server_url is not a URL"),
        (
            with("server_url", json!(format!("https://admin:{secret}@sso"))),
            "must not carry credentials",
        ),
        (with("realm", json!("a/b")), "realm"),
        (with("client_id", json!("")), "client_id"),
        (with("algorithms", json!(["HS256"])), "algorithms"),
        (with("algorithms", json!([])), "algorithms"),
        (with("timeout_secs", json!(0)), "timeout_secs"),
    ];
    for (config, expected) in cases {
        let error = build(config).unwrap_err();
        assert_eq!(error.kind(), PluginErrorKind::Config);
        assert!(error.to_string().contains(expected), "{error} should mention {expected}");
        assert_text_clean("config error", &format!("{error} {error:?}"), &secret);
    }
}

#[tokio::test]
async fn a_client_credentials_grant_without_a_secret_is_a_traced_config_error() {
    let server = crate::peer::OidcServer::start("cs", "pw", "s");
    let mut config = server.config("unused");
    config.as_object_mut().unwrap().remove("client_secret");
    let plugin = crate::plugin_with(config);
    let capture = Capture::start();

    let error = plugin.token(&TokenGrant::ClientCredentials { scopes: vec![] }).await.unwrap_err();

    assert_eq!(error.kind(), PluginErrorKind::Config);
    capture.assert_one(
        expect::span("identity.get_token").root().error_containing("needs client_secret"),
    );
}
