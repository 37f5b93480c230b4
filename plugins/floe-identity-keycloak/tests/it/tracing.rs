//! The spans of every operation: names, parents, attributes, statuses, and no planted
//! token, client secret, password or subject on a span, in an error message or in a log.
//! Against the real provider in `real`; every way each operation fails in `failures`.

mod failures;
mod real;

use floe_core::SpanKind;
use floe_core::plugin::categories::{IdentityProvider as _, TokenGrant};
use floe_core::plugin::{HealthStatus, Lifecycle as _};
use floe_core::secret::Secret;
use floe_core::telemetry::attr;
use floe_identity_keycloak::KeycloakError;
use floe_otel_testkit::expect::{SpanExpectation, tree};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::{Capture, expect, strategy};
use proptest::prelude::*;
use serde_json::json;

use crate::peer::{KID, OTHER_REALM, OidcServer, REALM, Signer, USERNAME, now, sign};
use crate::plugin;

const SCOPE: &str = "floe.identity.keycloak";

/// An operation's span with the plugin's scope, kind and attributes, realm [`REALM`].
pub(crate) fn op(name: &str, kind: SpanKind) -> SpanExpectation {
    expect::span(name)
        .scope(SCOPE)
        .kind(kind)
        .floe_attributes()
        .attr(attr::IDENTITY_PROVIDER, "keycloak")
        .attr(attr::IDENTITY_REALM, REALM)
        .attr(attr::SERVER_ADDRESS, "127.0.0.1")
}

fn validate_span() -> SpanExpectation {
    op("identity.validate_token", SpanKind::Internal).root()
}

fn password_grant(password: &str) -> TokenGrant {
    TokenGrant::Password {
        username: USERNAME.to_owned(),
        password: Secret::new(password.to_owned()),
        scopes: vec!["openid".to_owned()],
    }
}

#[tokio::test]
async fn a_client_credentials_grant_discovers_first_and_records_no_secret_or_token() {
    let client_secret = planted_secret();
    let server = OidcServer::start(&client_secret, "pw", "subject");
    let capture = Capture::start();

    let token = plugin(&server, &client_secret)
        .token(&TokenGrant::ClientCredentials { scopes: vec![] })
        .await
        .unwrap();

    capture.assert_tree(
        tree(
            op("identity.get_token", SpanKind::Client)
                .root()
                .ok()
                .attr(attr::IDENTITY_GRANT_TYPE, "client_credentials")
                .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
        )
        .child(tree(op("identity.discover", SpanKind::Client).ok()))
        .exact(),
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&client_secret, &[]);
    capture.assert_secret_nowhere(token.access_token.expose(), &[]);
    assert_eq!(token.token_type, "Bearer");
}

#[tokio::test]
async fn a_password_grant_and_userinfo_record_a_subject_hash_never_the_subject() {
    let password = planted_secret();
    let subject = planted_secret();
    let server = OidcServer::start("cs", &password, &subject);
    let plugin = plugin(&server, "cs");
    let capture = Capture::start();

    let token = plugin.token(&password_grant(&password)).await.unwrap();
    let user = plugin.userinfo(&token.access_token).await.unwrap();

    assert_eq!(user.subject, subject);
    assert_eq!(user.claims["preferred_username"], USERNAME);
    capture.assert_one(
        op("identity.get_token", SpanKind::Client)
            .root()
            .ok()
            .attr(attr::IDENTITY_GRANT_TYPE, "password"),
    );
    capture.assert_one(
        op("identity.userinfo", SpanKind::Client)
            .root()
            .ok()
            .attr_matches(attr::IDENTITY_SUBJECT_HASH, "^sha256:[0-9a-f]{32}$"),
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&password, &[]);
    capture.assert_secret_nowhere(&subject, &[]);
    capture.assert_secret_nowhere(token.access_token.expose(), &[]);
}

#[tokio::test]
async fn a_refused_password_ends_the_grant_as_an_error_without_the_password() {
    let password = planted_secret();
    let server = OidcServer::start("cs", "the-real-password", "subject");
    let capture = Capture::start();

    let error = plugin(&server, "cs").token(&password_grant(&password)).await.unwrap_err();

    assert_eq!(
        error.to_string(),
        format!(
            "the password grant in realm floe failed: {} refused the credentials (401): Invalid user credentials (invalid_grant)",
            server.url().trim_start_matches("http://")
        )
    );
    assert!(matches!(error, KeycloakError::Peer { .. }), "{error:?}");
    capture.assert_one(
        op("identity.get_token", SpanKind::Client)
            .root()
            .error_containing("the password grant in realm floe failed: ")
            .exception("KeycloakError")
            .attr(attr::IDENTITY_GRANT_TYPE, "password")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 401_i64),
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&password, &[&error.to_string(), &format!("{error:?}")]);
}

#[tokio::test]
async fn an_error_description_quoting_another_clients_refresh_token_is_redacted_by_the_sanitizer() {
    // A refresh token of client floe-reports (a JWT): the plugin never sent it, so its
    // scrub of what the call sent cannot remove it and only the sanitizer can.
    let client_secret = planted_secret();
    let server = OidcServer::start(&client_secret, "pw", "subject");
    let foreign = sign(
        &json!({ "typ": "Refresh", "azp": "floe-reports", "jti": planted_secret(), "exp": now() + 1800 }),
        Signer::Realm,
        Some(KID),
    );
    server.refuse_quoting_refresh_token(&foreign);
    let capture = Capture::start();

    let error = plugin(&server, &client_secret)
        .token(&TokenGrant::ClientCredentials { scopes: vec![] })
        .await
        .unwrap_err();

    assert!(matches!(error, KeycloakError::Peer { .. }), "{error:?}");
    capture.assert_one(
        op("identity.get_token", SpanKind::Client)
            .root()
            .attr(attr::IDENTITY_GRANT_TYPE, "client_credentials")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 400_i64)
            .error_containing(
                "refused the request (400): Token client and authorized client don't match: refresh_token=<REDACTED> belongs to client floe-reports (invalid_grant)",
            )
            .exception("KeycloakError"),
    );
    capture.spans().assert_conforms();
    for secret in [&foreign, &client_secret] {
        capture.assert_secret_nowhere(secret, &[&error.to_string(), &format!("{error:?}")]);
    }
}

#[tokio::test]
async fn a_valid_token_is_accepted_with_its_key_id_and_a_subject_hash() {
    let subject = planted_secret();
    let server = OidcServer::start("cs", "pw", "unused");
    let token = sign(&server.claims(&subject), Signer::Realm, Some(KID));
    let capture = Capture::start();

    let claims = plugin(&server, "cs").validate_token(&Secret::new(token.clone())).await.unwrap();

    assert_eq!(claims.subject, subject);
    assert_eq!(claims.issuer, server.issuer(REALM));
    capture.assert_one(
        validate_span()
            .ok()
            .attr(attr::IDENTITY_TOKEN_VALID, true)
            .attr(attr::IDENTITY_KEY_ID, KID)
            .has_attr(attr::IDENTITY_SUBJECT_HASH)
            .no_attr(attr::IDENTITY_REJECTION_REASON),
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&subject, &[]);
    capture.assert_secret_nowhere(&token, &[]);
}

#[tokio::test]
async fn every_kind_of_bad_token_ends_as_an_error_with_its_reason_and_no_token_text() {
    let subject = planted_secret();
    let server = OidcServer::start("cs", "pw", "unused");
    let plugin = plugin(&server, "cs");
    let good = server.claims(&subject);
    let with = |key: &str, value: serde_json::Value| {
        let mut claims = good.clone();
        claims[key] = value;
        claims
    };
    let hs256 = format!(
        "{}.{}.c2ln",
        base64_url(&json!({ "alg": "HS256", "kid": KID }).to_string()),
        base64_url(&good.to_string())
    );
    let none = format!("{}.{}.", base64_url(r#"{"alg":"none"}"#), base64_url(&good.to_string()));
    let cases = [
        (sign(&with("exp", json!(now() - 600)), Signer::Realm, Some(KID)), "expired"),
        (sign(&with("nbf", json!(now() + 600)), Signer::Realm, Some(KID)), "not_yet_valid"),
        (sign(&with("aud", json!("someone-else")), Signer::Realm, Some(KID)), "wrong_audience"),
        (
            sign(&with("azp", json!("floe-reports")), Signer::Realm, Some(KID)),
            "wrong_authorized_party",
        ),
        (
            sign(&with("iss", json!("https://evil.example/realms/floe")), Signer::Realm, Some(KID)),
            "wrong_issuer",
        ),
        (sign(&good, Signer::Stranger, Some(KID)), "bad_signature"),
        (sign(&good, Signer::Realm, Some("rotated-away")), "unknown_key"),
        (hs256, "unsupported_algorithm"),
        (none, "unsupported_algorithm"),
        (format!("{subject}.not-a-jws"), "malformed"),
    ];
    for (token, reason) in cases {
        let capture = Capture::start();

        let error = plugin.validate_token(&Secret::new(token.clone())).await.unwrap_err();

        assert_eq!(
            error.rejection().map(floe_identity_keycloak::Rejection::as_str),
            Some(reason),
            "{error}"
        );
        assert_eq!(error.to_string(), format!("token rejected by realm floe: {reason}"));
        capture.assert_one(
            validate_span()
                .error_containing(format!("token rejected by realm floe: {reason}"))
                .exception("KeycloakError")
                .attr(attr::IDENTITY_TOKEN_VALID, false)
                .attr(attr::IDENTITY_REJECTION_REASON, reason),
        );
        capture.spans().assert_conforms();
        capture.assert_secret_nowhere(&token, &[&error.to_string(), &format!("{error:?}")]);
        capture.assert_secret_nowhere(&subject, &[]);
    }
}

fn base64_url(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

#[tokio::test]
async fn a_realm_variant_is_traced_with_its_own_realm_and_rejects_the_other_realms_tokens() {
    let server = OidcServer::start("cs", "pw", "subject");
    let floe = plugin(&server, "cs");
    let ops = floe.for_realm(OTHER_REALM).unwrap();
    let token = sign(&server.claims("subject"), Signer::Realm, Some(KID));
    let capture = Capture::start();

    let error = ops.validate_token(&Secret::new(token)).await.unwrap_err();

    assert_eq!(error.to_string(), "token rejected by realm ops: wrong_issuer");
    capture.assert_one(
        expect::span("identity.validate_token")
            .root()
            .attr(attr::IDENTITY_REALM, OTHER_REALM)
            .attr(attr::IDENTITY_REJECTION_REASON, "wrong_issuer"),
    );
    capture.assert_one(
        expect::span("identity.discover")
            .ok()
            .parent("identity.validate_token")
            .attr(attr::IDENTITY_REALM, OTHER_REALM),
    );
}

#[tokio::test]
async fn health_is_ok_for_a_served_realm_and_an_error_for_a_missing_one() {
    let server = OidcServer::start("cs", "pw", "subject");
    let plugin = plugin(&server, "cs");
    let capture = Capture::start();

    let healthy = plugin.health_check().await;
    let missing = plugin.for_realm("missing").unwrap().health_check().await;

    assert!(healthy.is_healthy());
    let HealthStatus::Unhealthy { reason } = missing else { panic!("{missing:?}") };
    assert!(reason.starts_with("discovery in realm missing failed: "), "{reason}");
    assert!(reason.ends_with("has no such resource (404): Realm does not exist"), "{reason}");
    let health = expect::span("identity.health_check")
        .root()
        .scope(SCOPE)
        .kind(SpanKind::Client)
        .floe_attributes()
        .attr(attr::IDENTITY_PROVIDER, "keycloak");
    capture.assert_one(health.clone().ok().attr(attr::IDENTITY_REALM, REALM));
    capture.assert_one(
        health
            .attr(attr::IDENTITY_REALM, "missing")
            .error_containing("has no such resource (404): Realm does not exist")
            .exception("unhealthy"),
    );
    capture.spans().assert_conforms();
}

#[tokio::test]
async fn unavailable_answers_are_retried_and_each_retry_is_an_event() {
    let server = OidcServer::start("cs", "pw", "subject");
    server.unavailable(2);
    let capture = Capture::start();

    plugin(&server, "cs").discover().await.unwrap();

    let retry = |attempt: i64| {
        expect::event("identity.retry")
            .attr(attr::IDENTITY_ATTEMPT, attempt)
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 503_i64)
    };
    capture.assert_one(
        op("identity.discover", SpanKind::Client).root().ok().event(retry(1)).event(retry(2)),
    );
    capture.spans().assert_conforms();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn no_generated_credential_reaches_a_span_or_a_log(
        password in strategy::password(),
        client_secret in strategy::password(),
    ) {
        let server = OidcServer::start(&client_secret.value, &password.value, "subject");
        let plugin = plugin(&server, &client_secret.value);
        let capture = Capture::start();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let token = runtime.block_on(async {
            let token = plugin.token(&password_grant(&password.value)).await.unwrap();
            plugin.userinfo(&token.access_token).await.unwrap();
            plugin.validate_token(&token.access_token).await.unwrap();
            token
        });
        capture.assert_count(expect::span("identity.validate_token").ok(), 1);
        capture.assert_secret_nowhere(&password.value, &[]);
        capture.assert_secret_nowhere(&client_secret.value, &[]);
        capture.assert_secret_nowhere(token.access_token.expose(), &[]);
    }
}
