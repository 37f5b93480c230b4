//! The spans of every operation: names, parents, attributes, statuses, and no planted
//! secret value or token on a span, in an error message or in a log line.

mod failures;

use floe_core::SpanKind;
use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::SecretsProvider as _;
use floe_core::secret::Secret;
use floe_core::telemetry::attr;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect, strategy};
use proptest::prelude::*;

use crate::peer::{FORBIDDEN_NAMESPACE, KubeApi, NAMESPACE};
use crate::{plugin, plugin_for};

const SCOPE: &str = "floe.secrets.k8s";

fn get_span(key: &str) -> floe_otel_testkit::expect::SpanExpectation {
    expect::span("secrets.get_secret")
        .root()
        .scope(SCOPE)
        .kind(SpanKind::Client)
        .floe_attributes()
        .attr(attr::SECRETS_PROVIDER, "kubernetes")
        .attr(attr::SECRETS_NAMESPACE, NAMESPACE)
        .attr(attr::SECRETS_KEY_NAME, key.to_owned())
        .attr(attr::SERVER_ADDRESS, "127.0.0.1")
}

#[tokio::test]
async fn reading_a_secret_records_its_name_and_outcome_never_its_value() {
    let token = planted_secret();
    let value = planted_secret();
    let api = KubeApi::start(&token);
    api.insert("db", &[("password", &value)]);
    let capture = Capture::start();

    let read = plugin(&api).get_secret("db/password").await.unwrap();

    assert_eq!(read.map(Secret::into_inner), Some(value.clone()));
    capture.assert_one(
        get_span("db/password")
            .ok()
            .attr(attr::SECRETS_REQUIRED, false)
            .attr(attr::SECRETS_FOUND, true)
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&value, &[]);
    capture.assert_secret_nowhere(&token, &[]);
}

#[tokio::test]
async fn an_optional_secret_that_is_missing_is_ok_with_found_false() {
    let api = KubeApi::start(&planted_secret());
    api.insert("db", &[("user", "floe")]);
    let capture = Capture::start();

    let missing_key = plugin(&api).get_secret("db/password").await.unwrap();
    let missing_secret = plugin(&api).get_secret("nothing/here").await.unwrap();

    assert!(missing_key.is_none() && missing_secret.is_none());
    capture.assert_one(get_span("db/password").ok().attr(attr::SECRETS_FOUND, false));
    capture.assert_one(
        get_span("nothing/here")
            .ok()
            .attr(attr::SECRETS_FOUND, false)
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 404_i64),
    );
    capture.spans().assert_conforms();
}

#[tokio::test]
async fn a_required_secret_that_is_missing_ends_as_an_error_span() {
    let api = KubeApi::start(&planted_secret());
    let capture = Capture::start();

    let error = plugin(&api).require_secret("db/password").await.unwrap_err();

    assert!(matches!(error, floe_secrets_k8s::K8sSecretsError::NotFound { .. }), "{error}");
    capture.assert_one(
        get_span("db/password")
            .attr(attr::SECRETS_REQUIRED, true)
            .attr(attr::SECRETS_FOUND, false)
            .error_containing("required secret db/password not found in namespace floe-test")
            .exception("K8sSecretsError"),
    );
    capture.spans().assert_conforms();
}

#[tokio::test]
async fn writing_creates_then_updates_and_records_only_the_action() {
    let token = planted_secret();
    let value = planted_secret();
    let api = KubeApi::start(&token);
    let plugin = plugin(&api);
    let capture = Capture::start();

    plugin.set_secret("db/password", &Secret::new("first".to_owned())).await.unwrap();
    plugin.set_secret("db/password", &Secret::new(value.clone())).await.unwrap();

    assert_eq!(api.stored_value("db", "password").as_deref(), Some(value.as_str()));
    let span = |action: &str| {
        expect::span("secrets.set_secret")
            .root()
            .scope(SCOPE)
            .kind(SpanKind::Client)
            .ok()
            .attr(attr::SECRETS_KEY_NAME, "db/password")
            .attr(attr::SECRETS_NAMESPACE, NAMESPACE)
            .attr(attr::SECRETS_WRITE_ACTION, action.to_owned())
    };
    capture.assert_one(span("created"));
    capture.assert_one(span("updated"));
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&value, &[]);
    capture.assert_secret_nowhere(&token, &[]);
}

#[tokio::test]
async fn a_refused_token_ends_as_an_error_that_never_holds_the_token() {
    let api = KubeApi::start("the-accepted-token");
    let wrong = planted_secret();
    let capture = Capture::start();

    let error = plugin_for(&api, NAMESPACE, &wrong).get_secret("db/password").await.unwrap_err();

    assert_eq!(error.kind(), floe_core::plugin::PluginErrorKind::Unauthorized);
    capture.assert_one(
        get_span("db/password")
            .error_containing("(401): Unauthorized")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 401_i64),
    );
    capture.assert_secret_nowhere(&wrong, &[&error.to_string(), &format!("{error:?}")]);
    capture.spans().assert_conforms();
}

#[tokio::test]
async fn a_status_message_quoting_the_refused_token_is_scrubbed_before_it_is_sanitized() {
    let api = KubeApi::start("the-accepted-token");
    api.echo_refused_tokens();
    let wrong = planted_secret();
    let capture = Capture::start();

    let error = plugin_for(&api, NAMESPACE, &wrong).get_secret("db/password").await.unwrap_err();

    let text = error.to_string();
    assert!(
        text.ends_with("(401): Unauthorized: the service account presented \"<redacted>\", which no authenticator accepts"),
        "{text}"
    );
    capture.assert_one(
        get_span("db/password")
            .error_containing("presented \"<redacted>\"")
            .exception("K8sSecretsError"),
    );
    capture.assert_secret_nowhere(&wrong, &[&text, &format!("{error:?}")]);
}

#[tokio::test]
async fn a_status_quoting_a_bearer_token_the_plugin_never_sent_is_redacted_by_the_sanitizer() {
    // Another identity's service-account token (a JWT): the plugin's scrub cannot know it,
    // so only the sanitizer stands between it and the span.
    let foreign = format!(
        "eyJhbGciOiJSUzI1NiIsImtpZCI6InByb3h5In0.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6a3ViZS1zeXN0ZW06cHJveHkifQ.{}",
        planted_secret()
    );
    let token = planted_secret();
    let api = KubeApi::start(&token);
    api.refuse_quoting_proxy_token(&foreign);
    let capture = Capture::start();

    let error = plugin(&api).get_secret("db/password").await.unwrap_err();

    assert!(matches!(error, floe_secrets_k8s::K8sSecretsError::Api { .. }), "{error}");
    assert_eq!(error.kind(), floe_core::plugin::PluginErrorKind::Unauthorized);
    capture.assert_one(
        get_span("db/password")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 401_i64)
            .error_containing(
                "(401): Unauthorized: the authenticating proxy forwarded \"Authorization: Bearer <REDACTED>\", which no authenticator accepts",
            )
            .exception("K8sSecretsError"),
    );
    capture.assert_secret_nowhere(&foreign, &[&error.to_string(), &format!("{error:?}")]);
    capture.assert_secret_nowhere(&token, &[&error.to_string(), &format!("{error:?}")]);
    capture.spans().assert_conforms();
}

#[tokio::test]
async fn every_call_in_a_forbidden_namespace_ends_its_span_as_an_error() {
    let token = planted_secret();
    let value = planted_secret();
    let api = KubeApi::start(&token);
    let plugin = plugin_for(&api, FORBIDDEN_NAMESPACE, &token);
    let capture = Capture::start();

    let read = plugin.get_secret("db/password").await.unwrap_err();
    let required = plugin.require_secret("db/password").await.unwrap_err();
    let multi = plugin.get_multi("db").await.unwrap_err();
    let written = plugin.set_secret("db/password", &Secret::new(value.clone())).await.unwrap_err();
    let deleted = plugin.delete_secret("db").await.unwrap_err();
    let deleted_key = plugin.delete_secret("db/password").await.unwrap_err();

    for error in [&read, &required, &multi, &written, &deleted, &deleted_key] {
        assert_eq!(error.kind(), floe_core::plugin::PluginErrorKind::Unauthorized, "{error}");
        capture.assert_secret_nowhere(&token, &[&error.to_string()]);
        capture.assert_secret_nowhere(&value, &[&error.to_string()]);
    }
    let forbidden = |name: &str, action: &str| {
        expect::span(name.to_owned())
            .root()
            .scope(SCOPE)
            .kind(SpanKind::Client)
            .attr(attr::SECRETS_NAMESPACE, FORBIDDEN_NAMESPACE)
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 403_i64)
            .error_containing(format!("cannot {action} secret db in namespace kube-system"))
            .exception("K8sSecretsError")
            .exception_message_containing("(403): Forbidden")
    };
    capture.assert_count(forbidden("secrets.get_secret", "read"), 2);
    capture.assert_one(forbidden("secrets.get_multi", "read"));
    capture.assert_one(forbidden("secrets.set_secret", "update"));
    capture.assert_count(forbidden("secrets.delete_secret", "read"), 1);
    capture.assert_count(forbidden("secrets.delete_secret", "delete"), 1);
    for error in [&multi, &written, &deleted] {
        assert!(matches!(error, floe_secrets_k8s::K8sSecretsError::Api { .. }), "{error}");
    }
    capture.spans().assert_conforms();
}

#[tokio::test]
async fn a_required_secret_that_exists_is_read_on_an_ok_span() {
    let value = planted_secret();
    let api = KubeApi::start(&planted_secret());
    api.insert("db", &[("password", &value)]);
    let capture = Capture::start();

    let read = plugin(&api).require_secret("db/password").await.unwrap();

    assert_eq!(read.expose(), &value);
    capture.assert_one(
        get_span("db/password")
            .ok()
            .attr(attr::SECRETS_REQUIRED, true)
            .attr(attr::SECRETS_FOUND, true),
    );
    capture.assert_secret_nowhere(&value, &[]);
}

#[tokio::test]
async fn a_forbidden_namespace_is_an_error_naming_the_reason() {
    let token = planted_secret();
    let api = KubeApi::start(&token);
    let capture = Capture::start();

    let error = plugin_for(&api, FORBIDDEN_NAMESPACE, &token).list_secrets(None).await.unwrap_err();

    assert!(error.to_string().contains("(403): Forbidden"), "{error}");
    capture.assert_one(
        expect::span("secrets.list_secrets")
            .root()
            .attr(attr::SECRETS_NAMESPACE, FORBIDDEN_NAMESPACE)
            .error_containing(
                "cannot list secret * in namespace kube-system through the kubernetes api",
            )
            .error_containing("refused the credentials (403): Forbidden: secrets is forbidden")
            .exception("K8sSecretsError"),
    );
    capture.assert_secret_nowhere(&token, &[&error.to_string()]);
}

#[tokio::test]
async fn health_is_ok_when_secrets_are_listable_and_an_error_when_forbidden() {
    let token = planted_secret();
    let api = KubeApi::start(&token);
    let capture = Capture::start();

    let healthy = plugin(&api).health_check().await;
    let forbidden = plugin_for(&api, FORBIDDEN_NAMESPACE, &token).health_check().await;

    assert!(healthy.is_healthy());
    let floe_core::plugin::HealthStatus::Unhealthy { reason } = &forbidden else {
        panic!("expected unhealthy, got {forbidden:?}");
    };
    assert!(reason.contains("(403): Forbidden"), "{reason}");
    let health = expect::span("secrets.health_check").root().scope(SCOPE).kind(SpanKind::Client);
    capture.assert_one(health.clone().ok().attr(attr::SECRETS_NAMESPACE, NAMESPACE));
    capture.assert_one(
        health
            .attr(attr::SECRETS_NAMESPACE, FORBIDDEN_NAMESPACE)
            .error_containing("(403): Forbidden")
            .exception("unhealthy"),
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&token, &[reason]);
}

#[tokio::test]
async fn throttled_calls_are_retried_and_each_retry_is_an_event() {
    let api = KubeApi::start(&planted_secret());
    api.insert("db", &[("user", "floe")]);
    api.throttle(2);
    let capture = Capture::start();

    let read = plugin(&api).get_secret("db/user").await.unwrap();

    assert_eq!(read.map(Secret::into_inner).as_deref(), Some("floe"));
    let retry = |attempt: i64| {
        expect::event("secrets.retry")
            .attr(attr::SECRETS_ATTEMPT, attempt)
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 429_i64)
    };
    capture.assert_one(get_span("db/user").ok().event(retry(1)).event(retry(2)));
    capture.spans().assert_conforms();
}

#[tokio::test]
async fn an_unreachable_api_server_is_an_error_without_the_token() {
    let token = planted_secret();
    let config = serde_json::json!({
        "api_server": format!("http://{}", closed_port()),
        "namespace": NAMESPACE,
        "token": token,
        "timeout_secs": 2,
    });
    let plugin = floe_secrets_k8s::K8sSecretsPlugin::new(&serde_json::from_value(config).unwrap())
        .unwrap()
        .with_retry_policy(crate::FAST);
    let capture = Capture::start();

    let error = plugin.get_secret("db/password").await.unwrap_err();

    assert_eq!(error.kind(), floe_core::plugin::PluginErrorKind::Unavailable);
    capture.assert_one(
        expect::span("secrets.get_secret")
            .root()
            .error_containing("through the kubernetes api: cannot connect to 127.0.0.1:")
            .event(expect::event("secrets.retry").attr(attr::SECRETS_ATTEMPT, 2_i64)),
    );
    capture.assert_secret_nowhere(&token, &[&error.to_string(), &format!("{error:?}")]);
    capture.spans().assert_conforms();
}

#[tokio::test]
async fn listing_reading_all_keys_and_deleting_are_traced_with_counts() {
    let value = planted_secret();
    let api = KubeApi::start(&planted_secret());
    api.insert("db", &[("user", "floe"), ("password", &value)]);
    api.insert("api-keys", &[("stripe", &value)]);
    let plugin = plugin(&api);
    let capture = Capture::start();

    let names = plugin.list_secrets(Some("d")).await.unwrap();
    let all = plugin.get_multi("db").await.unwrap();
    let deleted_key = plugin.delete_secret("db/password").await.unwrap();
    let deleted_again = plugin.delete_secret("db/password").await.unwrap();
    let deleted_secret = plugin.delete_secret("api-keys").await.unwrap();

    assert_eq!(names, ["db"]);
    assert_eq!(all.len(), 2);
    assert_eq!((deleted_key, deleted_again, deleted_secret), (true, false, true));
    capture.assert_one(
        expect::span("secrets.list_secrets").root().ok().attr(attr::SECRETS_COUNT, 1_i64),
    );
    capture.assert_one(
        expect::span("secrets.get_multi")
            .root()
            .ok()
            .kind(SpanKind::Client)
            .attr(attr::SECRETS_KEY_NAME, "db")
            .attr(attr::SECRETS_COUNT, 2_i64),
    );
    let delete = |key: &str, found: bool| {
        expect::span("secrets.delete_secret")
            .root()
            .ok()
            .attr(attr::SECRETS_KEY_NAME, key.to_owned())
            .attr(attr::SECRETS_FOUND, found)
    };
    capture.assert_one(delete("db/password", true));
    capture.assert_one(delete("db/password", false));
    capture.assert_one(delete("api-keys", true));
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&value, &[]);
}

#[test]
fn a_pod_env_spec_is_an_internal_span_with_the_count() {
    let api = KubeApi::start(&planted_secret());
    let capture = Capture::start();

    let env = plugin(&api).pod_env_spec(&["db/password", "db/user"]).unwrap();
    let error = plugin(&api).pod_env_spec(&["bad key"]).unwrap_err();

    assert_eq!(env.as_array().map(Vec::len), Some(2));
    assert!(matches!(error, floe_secrets_k8s::K8sSecretsError::InvalidKey { .. }));
    let span = expect::span("secrets.pod_env_spec").root().scope(SCOPE).kind(SpanKind::Internal);
    capture.assert_one(span.clone().ok().attr(attr::SECRETS_COUNT, 2_i64));
    capture.assert_one(span.error_containing("invalid secret key \"bad key\""));
    capture.spans().assert_conforms();
    assert!(api.requests().is_empty(), "generating an env spec calls no API");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn any_written_password_round_trips_and_is_never_recorded(
        password in strategy::password(),
        token in strategy::bearer_token(),
    ) {
        let api = KubeApi::start(&token.value);
        let plugin = plugin(&api);
        let capture = Capture::start();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let read = runtime.block_on(async {
            plugin.set_secret("app/password", &Secret::new(password.value.clone())).await.unwrap();
            plugin.require_secret("app/password").await.unwrap()
        });
        prop_assert_eq!(read.expose(), &password.value);
        capture.assert_count(expect::span("secrets.set_secret").ok(), 1);
        capture.assert_count(expect::span("secrets.get_secret").ok(), 1);
        capture.assert_secret_nowhere(&password.value, &[]);
        capture.assert_secret_nowhere(&token.value, &[]);
    }
}
