//! Every failure mode of every operation, each driven against the loopback API server (or
//! a missing token file, or a bad argument) and asserted on its span: the sanitized
//! description, the `K8sSecretsError` exception, the returned variant, and no planted
//! token or value anywhere.

use base64::Engine as _;
use floe_core::plugin::categories::SecretsProvider as _;
use floe_core::secret::Secret;
use floe_core::telemetry::attr;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::{Capture, expect};
use floe_secrets_k8s::{K8sSecretsError, K8sSecretsPlugin};

use super::SCOPE;
use crate::peer::{KubeApi, NAMESPACE};
use crate::{plugin, plugin_for};

#[tokio::test]
async fn a_missing_token_file_fails_every_call_before_any_request() {
    let value = planted_secret();
    let api = KubeApi::start(&planted_secret());
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("token");
    let config = serde_json::json!({
        "api_server": api.url(), "namespace": NAMESPACE, "token_file": missing,
    });
    let plugin = K8sSecretsPlugin::new(&serde_json::from_value(config).unwrap()).unwrap();
    let capture = Capture::start();

    let errors = [
        plugin.get_secret("db/password").await.unwrap_err(),
        plugin.get_multi("db").await.unwrap_err(),
        plugin.set_secret("db/password", &Secret::new(value.clone())).await.unwrap_err(),
        plugin.delete_secret("db").await.unwrap_err(),
        plugin.list_secrets(None).await.unwrap_err(),
    ];

    for error in &errors {
        assert!(matches!(error, K8sSecretsError::TokenFile { .. }), "{error}");
        assert!(error.to_string().contains(&missing.display().to_string()), "{error}");
        capture.assert_secret_nowhere(&value, &[&error.to_string(), &format!("{error:?}")]);
    }
    let unreadable = "cannot read the service-account token file";
    capture.assert_one(
        expect::span("secrets.get_secret").root().scope(SCOPE).error_containing(unreadable),
    );
    capture.assert_one(
        expect::span("secrets.get_multi").root().scope(SCOPE).error_containing(unreadable),
    );
    capture.assert_one(
        expect::span("secrets.set_secret").root().scope(SCOPE).error_containing(unreadable),
    );
    capture.assert_one(
        expect::span("secrets.delete_secret").root().scope(SCOPE).error_containing(unreadable),
    );
    capture.assert_one(
        expect::span("secrets.list_secrets")
            .root()
            .scope(SCOPE)
            .error_containing(unreadable)
            .exception("K8sSecretsError"),
    );
    capture.spans().assert_conforms();
    assert!(api.requests().is_empty(), "no call goes out without a token");
}

#[tokio::test]
async fn a_malformed_key_ends_each_keyed_span_as_an_invalid_key_error() {
    let value = planted_secret();
    let api = KubeApi::start(&planted_secret());
    let plugin = plugin(&api);
    let capture = Capture::start();

    let errors = [
        plugin.get_secret("Upper/key").await.unwrap_err(),
        plugin.get_multi("db/password").await.unwrap_err(),
        plugin.set_secret("db", &Secret::new(value.clone())).await.unwrap_err(),
        plugin.delete_secret("db/a b").await.unwrap_err(),
    ];

    for error in &errors {
        assert!(matches!(error, K8sSecretsError::InvalidKey { .. }), "{error}");
        capture.assert_secret_nowhere(&value, &[&error.to_string()]);
    }
    capture.assert_one(
        expect::span("secrets.get_secret")
            .scope(SCOPE)
            .error_containing("invalid secret key \"Upper/key\""),
    );
    capture.assert_one(
        expect::span("secrets.get_multi")
            .scope(SCOPE)
            .error_containing("invalid secret key \"db/password\""),
    );
    capture.assert_one(
        expect::span("secrets.set_secret")
            .scope(SCOPE)
            .error_containing("invalid secret key \"db\""),
    );
    capture.assert_one(
        expect::span("secrets.delete_secret")
            .scope(SCOPE)
            .error_containing("invalid secret key \"db/a b\"")
            .exception("K8sSecretsError"),
    );
    assert!(api.requests().is_empty(), "a malformed key is refused before any request");
}

#[tokio::test]
async fn a_refused_token_ends_reading_all_writing_and_deleting_as_api_errors() {
    let api = KubeApi::start("the-accepted-token");
    api.echo_refused_tokens();
    let (wrong, value) = (planted_secret(), planted_secret());
    let plugin = plugin_for(&api, NAMESPACE, &wrong);
    let capture = Capture::start();

    let errors = [
        plugin.get_multi("db").await.unwrap_err(),
        plugin.set_secret("db/password", &Secret::new(value.clone())).await.unwrap_err(),
        plugin.delete_secret("db").await.unwrap_err(),
    ];

    for error in &errors {
        assert!(matches!(error, K8sSecretsError::Api { .. }), "{error}");
        assert_eq!(error.kind(), floe_core::plugin::PluginErrorKind::Unauthorized);
        assert!(error.to_string().contains("presented \"<redacted>\""), "{error}");
        for secret in [&wrong, &value] {
            capture.assert_secret_nowhere(secret, &[&error.to_string(), &format!("{error:?}")]);
        }
    }
    let through = "in namespace floe-test through the kubernetes api";
    capture.assert_one(
        expect::span("secrets.get_multi")
            .scope(SCOPE)
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 401_i64)
            .error_containing(format!("cannot read secret db {through}")),
    );
    capture.assert_one(
        expect::span("secrets.set_secret")
            .scope(SCOPE)
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 401_i64)
            .error_containing(format!("cannot update secret db {through}")),
    );
    capture.assert_one(
        expect::span("secrets.delete_secret")
            .scope(SCOPE)
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 401_i64)
            .error_containing(format!("cannot delete secret db {through}"))
            .exception("K8sSecretsError"),
    );
    capture.spans().assert_conforms();
}

#[tokio::test]
async fn reading_every_key_of_a_missing_secret_ends_as_not_found() {
    let token = planted_secret();
    let api = KubeApi::start(&token);
    let capture = Capture::start();

    let error = plugin(&api).get_multi("nope").await.unwrap_err();

    assert!(matches!(error, K8sSecretsError::NotFound { .. }), "{error}");
    capture.assert_one(
        expect::span("secrets.get_multi")
            .root()
            .scope(SCOPE)
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 404_i64)
            .error_containing("required secret nope not found in namespace floe-test")
            .exception("K8sSecretsError"),
    );
    capture.assert_secret_nowhere(&token, &[&error.to_string()]);
}

#[tokio::test]
async fn a_proxy_answering_the_discovery_document_is_a_protocol_error_on_every_span() {
    let (token, value) = (planted_secret(), planted_secret());
    let api = KubeApi::start(&token);
    api.answer_discovery_everywhere();
    let plugin = plugin(&api);
    let capture = Capture::start();

    let errors = [
        plugin.get_secret("db/password").await.unwrap_err(),
        plugin.get_multi("db").await.unwrap_err(),
        plugin.set_secret("db/password", &Secret::new(value.clone())).await.unwrap_err(),
        plugin.delete_secret("db/password").await.unwrap_err(),
        plugin.delete_secret("db").await.unwrap_err(),
        plugin.list_secrets(None).await.unwrap_err(),
    ];

    for error in &errors {
        assert!(matches!(error, K8sSecretsError::Protocol { .. }), "{error}");
        assert_eq!(error.kind(), floe_core::plugin::PluginErrorKind::Protocol);
        for secret in [&token, &value] {
            capture.assert_secret_nowhere(secret, &[&error.to_string(), &format!("{error:?}")]);
        }
    }
    let unexpected = "unexpected answer from the kubernetes api to";
    capture.assert_one(
        expect::span("secrets.get_secret")
            .scope(SCOPE)
            .error_containing(unexpected)
            .error_containing("read secret db: the answer is not a Secret"),
    );
    capture.assert_one(
        expect::span("secrets.get_multi")
            .scope(SCOPE)
            .error_containing(unexpected)
            .error_containing("read secret db: the answer is not a Secret"),
    );
    capture.assert_one(
        expect::span("secrets.set_secret")
            .scope(SCOPE)
            .error_containing(unexpected)
            .error_containing("update secret db: the answer is not a Secret"),
    );
    capture.assert_one(
        expect::span("secrets.delete_secret")
            .attr(attr::SECRETS_KEY_NAME, "db/password")
            .error_containing(unexpected)
            .error_containing("read secret db: the answer is not a Secret"),
    );
    capture.assert_one(
        expect::span("secrets.delete_secret")
            .attr(attr::SECRETS_KEY_NAME, "db")
            .error_containing(unexpected)
            .error_containing("delete secret db: the answer is neither a Status nor a Secret"),
    );
    capture.assert_one(
        expect::span("secrets.list_secrets")
            .scope(SCOPE)
            .error_containing(unexpected)
            .error_containing("list secret *: the answer is not a SecretList")
            .exception("K8sSecretsError"),
    );
    capture.spans().assert_conforms();
}

#[tokio::test]
async fn a_stored_value_that_is_not_utf8_ends_both_reads_as_an_encoding_error() {
    let value = planted_secret();
    let api = KubeApi::start(&planted_secret());
    // Valid base64 of bytes that are not UTF-8: the planted text and a stray 0xff byte.
    let mut bytes = value.clone().into_bytes();
    bytes.push(0xff);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
    api.insert_raw("bin", &serde_json::json!({ "blob": encoded }), &[]);
    let plugin = plugin(&api);
    let capture = Capture::start();

    let one = plugin.get_secret("bin/blob").await.unwrap_err();
    let all = plugin.get_multi("bin").await.unwrap_err();

    for error in [&one, &all] {
        assert!(matches!(error, K8sSecretsError::Encoding { .. }), "{error}");
        for secret in [&value, &encoded] {
            capture.assert_secret_nowhere(secret, &[&error.to_string(), &format!("{error:?}")]);
        }
    }
    let not_text = "secret bin/blob in namespace floe-test is not base64-encoded UTF-8 text";
    capture.assert_one(
        expect::span("secrets.get_secret").root().scope(SCOPE).error_containing(not_text),
    );
    capture.assert_one(
        expect::span("secrets.get_multi")
            .root()
            .scope(SCOPE)
            .error_containing(not_text)
            .exception("K8sSecretsError"),
    );
}

#[test]
fn two_keys_injected_as_one_variable_end_the_env_spec_span_as_an_error() {
    let api = KubeApi::start(&planted_secret());
    let capture = Capture::start();

    let error = plugin(&api).pod_env_spec(&["a/token", "b/token"]).unwrap_err();

    assert!(matches!(error, K8sSecretsError::DuplicateEnv { .. }), "{error}");
    capture.assert_one(
        expect::span("secrets.pod_env_spec")
            .root()
            .scope(SCOPE)
            .error_containing("keys a/token and b/token both map to environment variable TOKEN")
            .exception("K8sSecretsError"),
    );
    assert!(api.requests().is_empty(), "an env spec calls no API");
}
