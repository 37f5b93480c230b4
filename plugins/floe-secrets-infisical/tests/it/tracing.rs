//! The spans of every operation and of the logins behind them: names, parents,
//! attributes, statuses, and no planted secret value, client secret or token anywhere.

mod failures;

use floe_core::SpanKind;
use floe_core::plugin::categories::SecretsProvider as _;
use floe_core::plugin::{HealthStatus, Lifecycle as _};
use floe_core::secret::Secret;
use floe_core::telemetry::attr;
use floe_otel_testkit::expect::{SpanExpectation, tree};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::{Capture, expect, strategy};
use floe_secrets_infisical::InfisicalError;
use proptest::prelude::*;

use crate::peer::{ENVIRONMENT, InfisicalApi};
use crate::plugin;

const SCOPE: &str = "floe.secrets.infisical";

fn op(name: &str) -> SpanExpectation {
    expect::span(name)
        .root()
        .scope(SCOPE)
        .kind(SpanKind::Client)
        .floe_attributes()
        .attr(attr::SECRETS_PROVIDER, "infisical")
        .attr(attr::SECRETS_NAMESPACE, ENVIRONMENT)
        .attr(attr::SERVER_ADDRESS, "127.0.0.1")
}

fn login_span(action: &str) -> SpanExpectation {
    expect::span("secrets.login")
        .scope(SCOPE)
        .kind(SpanKind::Client)
        .attr(attr::SECRETS_PROVIDER, "infisical")
        .attr(attr::SECRETS_AUTH_ACTION, action.to_owned())
}

#[tokio::test]
async fn the_first_read_logs_in_as_a_child_span_and_records_no_value_or_credential() {
    let client_secret = planted_secret();
    let value = planted_secret();
    let api = InfisicalApi::start(&client_secret, 3600);
    api.insert("/", "DB_PASSWORD", &value);
    let capture = Capture::start();

    let read = plugin(&api, &client_secret).get_secret("DB_PASSWORD").await.unwrap();

    assert_eq!(read.map(Secret::into_inner), Some(value.clone()));
    capture.assert_tree(
        tree(
            op("secrets.get_secret")
                .ok()
                .attr(attr::SECRETS_KEY_NAME, "DB_PASSWORD")
                .attr(attr::SECRETS_REQUIRED, false)
                .attr(attr::SECRETS_FOUND, true)
                .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
        )
        .child(tree(login_span("login").ok().attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64)))
        .exact(),
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&value, &[]);
    capture.assert_secret_nowhere(&client_secret, &[]);
    // The issued access token is a secret too.
    capture.assert_no_secret("st.identity-token-1");
}

#[tokio::test]
async fn a_token_about_to_expire_is_renewed_under_the_operation_that_needs_it() {
    let api = InfisicalApi::start("cs", 0);
    api.insert("/", "A", "1");
    let plugin = plugin(&api, "cs");
    plugin.get_secret("A").await.unwrap();
    let capture = Capture::start();

    plugin.get_secret("A").await.unwrap();

    assert_eq!(api.auth_counts(), (1, 1));
    capture.assert_one(login_span("renew").ok().parent("secrets.get_secret"));
    capture.assert_none(login_span("login"));
    capture.spans().assert_conforms();
}

#[tokio::test]
async fn a_token_expired_on_the_server_is_replaced_by_one_fresh_login() {
    let api = InfisicalApi::start("cs", 3600);
    api.insert("/", "A", "1");
    let plugin = plugin(&api, "cs");
    plugin.get_secret("A").await.unwrap();
    api.expire_tokens();
    let capture = Capture::start();

    let read = plugin.get_secret("A").await.unwrap();

    assert!(read.is_some());
    assert_eq!(api.auth_counts(), (2, 0));
    capture.assert_one(login_span("login").ok().parent("secrets.get_secret"));
    capture
        .assert_one(op("secrets.get_secret").ok().attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64));
    capture.spans().assert_conforms();
}

#[tokio::test]
async fn a_refused_client_secret_fails_login_and_the_operation_without_leaking_it() {
    let api = InfisicalApi::start("the-real-client-secret", 3600);
    let wrong = planted_secret();
    let capture = Capture::start();

    let error = plugin(&api, &wrong).get_secret("DB_PASSWORD").await.unwrap_err();

    assert_eq!(error.kind(), floe_core::plugin::PluginErrorKind::Unauthorized);
    let message = "refused the credentials (401): UnauthorizedError: Invalid credentials";
    assert!(
        error.to_string().starts_with("the infisical machine identity login failed: 127.0.0.1:")
    );
    assert!(error.to_string().ends_with(message), "{error}");
    capture.assert_one(login_span("login").error_containing(message).parent("secrets.get_secret"));
    capture
        .assert_one(op("secrets.get_secret").error_containing(message).exception("InfisicalError"));
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&wrong, &[&error.to_string(), &format!("{error:?}")]);
}

#[tokio::test]
async fn a_refusal_quoting_the_client_secret_is_scrubbed_before_it_is_sanitized() {
    let api = InfisicalApi::start("the-real-client-secret", 3600);
    api.echo_refused_secrets();
    let wrong = planted_secret();
    let capture = Capture::start();

    let error = plugin(&api, &wrong).get_secret("DB_PASSWORD").await.unwrap_err();

    let text = error.to_string();
    assert!(
        text.ends_with("UnauthorizedError: identity \"<redacted>\" presented \"<redacted>\", which matches no universal auth credential"),
        "{text}"
    );
    capture.assert_one(
        login_span("login")
            .error_containing("presented \"<redacted>\"")
            .parent("secrets.get_secret"),
    );
    capture.assert_secret_nowhere(&wrong, &[&text, &format!("{error:?}")]);
}

#[tokio::test]
async fn a_refusal_quoting_a_service_token_the_plugin_never_sent_is_redacted_by_the_sanitizer() {
    // A legacy service token (`st.<id>.<secret>.<key>`) of the project: the plugin never
    // sent it, so its own scrub cannot remove it and only the sanitizer can.
    let hex = |s: String| s.rsplit('-').next().unwrap_or_default().to_owned();
    let service_token = format!(
        "st.{}.{}.{}",
        &hex(planted_secret())[..24],
        hex(planted_secret()),
        hex(planted_secret())
    );
    let client_secret = planted_secret();
    let api = InfisicalApi::start(&client_secret, 3600);
    api.insert("/", "DB_PASSWORD", "stored");
    api.refuse_reads_quoting(&service_token);
    let capture = Capture::start();

    let error = plugin(&api, &client_secret).get_secret("DB_PASSWORD").await.unwrap_err();

    assert!(matches!(error, InfisicalError::Api { action: "read", .. }), "{error}");
    assert_eq!(error.kind(), floe_core::plugin::PluginErrorKind::Unauthorized);
    capture.assert_one(
        op("secrets.get_secret")
            .attr(attr::SECRETS_KEY_NAME, "DB_PASSWORD")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 403_i64)
            .error_containing(
                "(403): PermissionDenied: You are not allowed to read on secrets: reads of this project go through the service token <REDACTED>, which lacks the read scope",
            )
            .exception("InfisicalError"),
    );
    capture.assert_one(login_span("login").ok().parent("secrets.get_secret"));
    capture.spans().assert_conforms();
    for secret in [&service_token, &client_secret] {
        capture.assert_secret_nowhere(secret, &[&error.to_string(), &format!("{error:?}")]);
    }
}

#[tokio::test]
async fn every_operation_ends_its_span_as_an_error_when_infisical_refuses_it() {
    let value = planted_secret();
    let api = InfisicalApi::start("cs", 3600);
    let plugin = plugin(&api, "cs");
    plugin.list_secrets(None).await.unwrap();
    api.rate_limit(1000);
    let capture = Capture::start();

    let errors = [
        plugin.get_secret("A").await.unwrap_err(),
        plugin.require_secret("A").await.unwrap_err(),
        plugin.get_multi("db").await.unwrap_err(),
        plugin.set_secret("A", &Secret::new(value.clone())).await.unwrap_err(),
        plugin.delete_secret("A").await.unwrap_err(),
        plugin.list_secrets(None).await.unwrap_err(),
    ];
    let env_spec = plugin.pod_env_spec(&["db/PASSWORD"]).unwrap_err();

    let actions = ["read", "read", "list", "read", "delete", "list"];
    for (error, action) in errors.iter().zip(actions) {
        assert!(matches!(error, InfisicalError::Api { action: a, .. } if *a == action), "{error}");
        capture.assert_secret_nowhere(&value, &[&error.to_string()]);
    }
    assert!(matches!(env_spec, InfisicalError::InvalidKey { .. }), "{env_spec}");
    capture.assert_count(refused("secrets.get_secret", "read"), 2);
    capture.assert_one(refused("secrets.get_multi", "list"));
    capture.assert_one(refused("secrets.set_secret", "read"));
    capture.assert_one(refused("secrets.delete_secret", "delete"));
    capture.assert_one(refused("secrets.list_secrets", "list"));
    capture.assert_one(
        expect::span("secrets.pod_env_spec")
            .root()
            .kind(SpanKind::Internal)
            .error_containing("invalid secret key \"db/PASSWORD\""),
    );
    capture.spans().assert_conforms();
}

/// An operation span refused by the rate limiter until the retries ran out.
fn refused(name: &str, action: &str) -> SpanExpectation {
    op(name)
        .attr(attr::HTTP_RESPONSE_STATUS_CODE, 429_i64)
        .error_containing(format!("cannot {action} secret"))
        .exception("InfisicalError")
        .exception_message_containing("failed to answer (429): RateLimitExceeded")
        .event(expect::event("secrets.retry").attr(attr::SECRETS_ATTEMPT, 2_i64))
}

#[tokio::test]
async fn rate_limited_calls_are_retried_and_each_retry_is_an_event() {
    let api = InfisicalApi::start("cs", 3600);
    api.insert("/", "A", "1");
    let plugin = plugin(&api, "cs");
    plugin.get_secret("A").await.unwrap();
    api.rate_limit(2);
    let capture = Capture::start();

    assert!(plugin.get_secret("A").await.unwrap().is_some());

    let retry = |attempt: i64| {
        expect::event("secrets.retry")
            .attr(attr::SECRETS_ATTEMPT, attempt)
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 429_i64)
    };
    capture.assert_one(op("secrets.get_secret").ok().event(retry(1)).event(retry(2)));
    capture.spans().assert_conforms();
}

#[tokio::test]
async fn a_required_secret_that_is_missing_ends_as_an_error_span() {
    let api = InfisicalApi::start("cs", 3600);
    let capture = Capture::start();

    let plugin = plugin(&api, "cs");
    let optional = plugin.get_secret("apps/MISSING").await.unwrap();
    let required = plugin.require_secret("apps/MISSING").await.unwrap_err();

    assert!(optional.is_none());
    assert_eq!(required.to_string(), "required secret apps/MISSING not found in environment dev");
    let span = op("secrets.get_secret")
        .attr(attr::SECRETS_KEY_NAME, "apps/MISSING")
        .attr(attr::SECRETS_FOUND, false);
    capture.assert_one(span.clone().ok().attr(attr::SECRETS_REQUIRED, false));
    capture.assert_one(span.attr(attr::SECRETS_REQUIRED, true).error_containing("not found"));
    capture.spans().assert_conforms();
}

#[tokio::test]
async fn writes_record_created_then_updated_and_never_the_value() {
    let value = planted_secret();
    let api = InfisicalApi::start("cs", 3600);
    let plugin = plugin(&api, "cs");
    let capture = Capture::start();

    plugin.set_secret("apps/API_KEY", &Secret::new("first".to_owned())).await.unwrap();
    plugin.set_secret("apps/API_KEY", &Secret::new(value.clone())).await.unwrap();

    assert_eq!(api.value("/apps", "API_KEY"), Some(value.clone()));
    let span = |action: &str| {
        op("secrets.set_secret")
            .ok()
            .attr(attr::SECRETS_KEY_NAME, "apps/API_KEY")
            .attr(attr::SECRETS_WRITE_ACTION, action.to_owned())
    };
    capture.assert_one(span("created"));
    capture.assert_one(span("updated"));
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&value, &[]);
}

#[tokio::test]
async fn deleting_listing_and_reading_a_folder_are_traced_with_outcomes() {
    let value = planted_secret();
    let api = InfisicalApi::start("cs", 3600);
    api.insert("/", "A", &value);
    api.insert("/", "B", "2");
    api.insert("/db", "USER", "floe");
    let plugin = plugin(&api, "cs");
    let capture = Capture::start();

    let names = plugin.list_secrets(None).await.unwrap();
    let folder = plugin.get_multi("db").await.unwrap();
    let deleted = plugin.delete_secret("A").await.unwrap();
    let again = plugin.delete_secret("A").await.unwrap();

    assert_eq!(names, ["A", "B"]);
    assert_eq!(folder.len(), 1);
    assert_eq!((deleted, again), (true, false));
    capture.assert_one(op("secrets.list_secrets").ok().attr(attr::SECRETS_COUNT, 2_i64));
    capture.assert_one(
        op("secrets.get_multi")
            .ok()
            .attr(attr::SECRETS_KEY_NAME, "db")
            .attr(attr::SECRETS_COUNT, 1_i64),
    );
    capture.assert_one(op("secrets.delete_secret").ok().attr(attr::SECRETS_FOUND, true));
    capture.assert_one(op("secrets.delete_secret").ok().attr(attr::SECRETS_FOUND, false));
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&value, &[]);
}

#[tokio::test]
async fn health_is_ok_when_the_instance_answers_and_the_identity_logs_in() {
    let client_secret = planted_secret();
    let api = InfisicalApi::start(&client_secret, 3600);
    let capture = Capture::start();

    let healthy = plugin(&api, &client_secret).health_check().await;
    let refused = plugin(&api, "wrong-secret").health_check().await;

    assert!(healthy.is_healthy(), "{healthy:?}");
    let HealthStatus::Unhealthy { reason } = &refused else { panic!("{refused:?}") };
    assert!(reason.contains("(401): UnauthorizedError"), "{reason}");
    let health = op("secrets.health_check");
    capture.assert_one(health.clone().ok());
    capture.assert_one(health.error_containing("(401): UnauthorizedError").exception("unhealthy"));
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&client_secret, &[reason]);
}

#[test]
fn a_pod_env_spec_is_an_internal_span_with_the_count() {
    let api = InfisicalApi::start("cs", 3600);
    let capture = Capture::start();

    let env = plugin(&api, "cs").pod_env_spec(&["DB_PASSWORD", "API_KEY"]).unwrap();

    assert_eq!(env.as_array().map(Vec::len), Some(2));
    capture.assert_one(
        expect::span("secrets.pod_env_spec")
            .root()
            .scope(SCOPE)
            .kind(SpanKind::Internal)
            .ok()
            .attr(attr::SECRETS_COUNT, 2_i64),
    );
    capture.spans().assert_conforms();
    assert!(api.requests().is_empty(), "generating an env spec calls no API");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn any_written_value_round_trips_and_no_credential_is_recorded(
        value in strategy::password(),
        client_secret in strategy::password(),
    ) {
        let api = InfisicalApi::start(&client_secret.value, 3600);
        let plugin = plugin(&api, &client_secret.value);
        let capture = Capture::start();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let read = runtime.block_on(async {
            plugin.set_secret("PASSWORD", &Secret::new(value.value.clone())).await.unwrap();
            plugin.require_secret("PASSWORD").await.unwrap()
        });
        prop_assert_eq!(read.expose(), &value.value);
        capture.assert_count(expect::span("secrets.login").ok(), 1);
        capture.assert_secret_nowhere(&value.value, &[]);
        capture.assert_secret_nowhere(&client_secret.value, &[]);
    }
}
