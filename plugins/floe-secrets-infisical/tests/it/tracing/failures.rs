//! How each operation fails, span by span: a refused machine identity, malformed keys, a
//! missing `managed_secret_name`, an unknown environment, and changes Infisical answers
//! with another secret's name. Each error names what failed and carries no credential.

use floe_core::plugin::PluginErrorKind;
use floe_core::plugin::categories::SecretsProvider as _;
use floe_core::secret::Secret;
use floe_core::telemetry::attr;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::{Capture, expect};
use floe_secrets_infisical::{InfisicalConfig, InfisicalError, InfisicalPlugin};
use serde_json::json;

use super::{login_span, op};
use crate::peer::InfisicalApi;
use crate::plugin;

#[tokio::test]
async fn a_refused_identity_fails_every_operation_that_needs_a_token_without_leaking_it() {
    let api = InfisicalApi::start("the-real-client-secret", 3600);
    api.insert("/", "A", "1");
    let (wrong, value) = (planted_secret(), planted_secret());
    let plugin = plugin(&api, &wrong);
    let capture = Capture::start();

    let errors = [
        plugin.get_secret("A").await.unwrap_err(),
        plugin.get_multi("db").await.unwrap_err(),
        plugin.set_secret("A", &Secret::new(value.clone())).await.unwrap_err(),
        plugin.delete_secret("A").await.unwrap_err(),
        plugin.list_secrets(None).await.unwrap_err(),
    ];

    for error in &errors {
        assert!(matches!(error, InfisicalError::Login { action: "login", .. }), "{error}");
        assert_eq!(error.kind(), PluginErrorKind::Unauthorized, "{error}");
        let text = error.to_string();
        assert!(text.ends_with("(401): UnauthorizedError: Invalid credentials"), "{text}");
        capture.assert_secret_nowhere(&wrong, &[&text, &format!("{error:?}")]);
        capture.assert_secret_nowhere(&value, &[&text]);
    }
    let refused = "the infisical machine identity login failed";
    capture.assert_one(op("secrets.get_secret").error_containing(refused));
    capture.assert_one(op("secrets.get_multi").error_containing(refused));
    capture.assert_one(op("secrets.set_secret").error_containing(refused));
    capture.assert_one(op("secrets.delete_secret").error_containing(refused));
    capture.assert_one(op("secrets.list_secrets").error_containing(refused));
    for parent in [
        "secrets.get_secret",
        "secrets.get_multi",
        "secrets.set_secret",
        "secrets.delete_secret",
        "secrets.list_secrets",
    ] {
        capture.assert_one(login_span("login").error_containing(refused).parent(parent));
    }
    capture.spans().assert_conforms();
    assert_eq!(api.value("/", "A").as_deref(), Some("1"), "nothing was changed");
}

#[tokio::test]
async fn malformed_keys_end_each_keyed_operation_before_any_call() {
    let value = planted_secret();
    let api = InfisicalApi::start("cs", 3600);
    let plugin = plugin(&api, "cs");
    let capture = Capture::start();

    let errors = [
        plugin.get_secret("../ETC").await.unwrap_err(),
        plugin.get_multi("a b").await.unwrap_err(),
        plugin.set_secret("a?b", &Secret::new(value.clone())).await.unwrap_err(),
        plugin.delete_secret("folder/").await.unwrap_err(),
    ];

    for (error, key) in errors.iter().zip(["../ETC", "a b", "a?b", "folder/"]) {
        assert!(matches!(error, InfisicalError::InvalidKey { key: k } if k == key), "{error}");
        assert_eq!(error.kind(), PluginErrorKind::Config);
        capture.assert_secret_nowhere(&value, &[&error.to_string()]);
    }
    let invalid = |key: &str| format!("invalid secret key {key:?}: expected [folder/]NAME");
    capture.assert_one(op("secrets.get_secret").error_containing(invalid("../ETC")));
    capture.assert_one(op("secrets.get_multi").error_containing(invalid("a b")));
    capture.assert_one(op("secrets.set_secret").error_containing(invalid("a?b")));
    capture.assert_one(op("secrets.delete_secret").error_containing(invalid("folder/")));
    capture.assert_none(expect::span("secrets.login"));
    capture.spans().assert_conforms();
    assert!(api.requests().is_empty(), "a malformed key is refused before any call");
}

#[test]
fn a_pod_env_spec_without_the_managed_secret_name_is_a_config_error_naming_the_key() {
    let api = InfisicalApi::start("cs", 3600);
    let mut config = api.config("cs");
    config.as_object_mut().unwrap().remove("managed_secret_name");
    let config: InfisicalConfig = serde_json::from_value(config).unwrap();
    let capture = Capture::start();

    let error = InfisicalPlugin::new(&config).unwrap().pod_env_spec(&["DB_PASSWORD"]).unwrap_err();

    assert!(matches!(error, InfisicalError::Config { key: "managed_secret_name", .. }), "{error}");
    capture.assert_one(expect::span("secrets.pod_env_spec").root().error_containing(
        "invalid configuration: managed_secret_name: is needed for pod env specs",
    ));
    capture.spans().assert_conforms();
    assert!(api.requests().is_empty(), "generating an env spec calls no API");
}

#[tokio::test]
async fn a_folder_of_an_unknown_environment_reports_what_infisical_said() {
    let api = InfisicalApi::start("cs", 3600);
    let mut config = api.config("cs");
    config["environment"] = json!("staging");
    let plugin = InfisicalPlugin::new(&serde_json::from_value(config).unwrap()).unwrap();
    let capture = Capture::start();

    let error = plugin.get_multi("db").await.unwrap_err();

    assert!(matches!(error, InfisicalError::Api { action: "list", .. }), "{error}");
    assert_eq!(error.kind(), PluginErrorKind::NotFound);
    let text = error.to_string();
    assert!(text.starts_with("cannot list secret db in environment staging through infisical"));
    assert!(
        text.ends_with("has no such resource (404): NotFound: Environment not found"),
        "{text}"
    );
    capture.assert_one(
        expect::span("secrets.get_multi")
            .root()
            .attr(attr::SECRETS_NAMESPACE, "staging")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 404_i64)
            .error_containing("cannot list secret db in environment staging through infisical"),
    );
    capture.spans().assert_conforms();
}

#[tokio::test]
async fn changes_answered_with_another_secret_name_are_protocol_errors() {
    let (value, old) = (planted_secret(), planted_secret());
    let api = InfisicalApi::start("cs", 3600);
    api.insert("/", "OLD", &old);
    let plugin = plugin(&api, "cs");
    api.misname_changes();
    let capture = Capture::start();

    let secret = Secret::new(value.clone());
    let created = plugin.set_secret("NEW", &secret).await.unwrap_err();
    let updated = plugin.set_secret("OLD", &secret).await.unwrap_err();
    let deleted = plugin.delete_secret("OLD").await.unwrap_err();

    for (error, verb) in [(&created, "create"), (&updated, "update"), (&deleted, "delete")] {
        assert!(matches!(error, InfisicalError::Protocol { action, .. } if *action == verb));
        assert_eq!(error.kind(), PluginErrorKind::Protocol);
        assert_eq!(
            error.to_string(),
            format!("unexpected answer from infisical to {verb}: the answer names another secret")
        );
        capture.assert_secret_nowhere(&value, &[&error.to_string()]);
        capture.assert_secret_nowhere(&old, &[&error.to_string()]);
    }
    let misnamed = |verb: &str| format!("unexpected answer from infisical to {verb}: the answer");
    capture.assert_one(
        op("secrets.set_secret")
            .attr(attr::SECRETS_KEY_NAME, "NEW")
            .error_containing(misnamed("create")),
    );
    capture.assert_one(
        op("secrets.set_secret")
            .attr(attr::SECRETS_KEY_NAME, "OLD")
            .error_containing(misnamed("update")),
    );
    capture.assert_one(op("secrets.delete_secret").error_containing(misnamed("delete")));
    capture.spans().assert_conforms();
}
