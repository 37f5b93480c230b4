//! Against the real provider, oidc-provider 9.13.3 serving Keycloak's realms
//! (`provider.rs`): a genuine Keycloak-shaped access token validates and one issued to
//! another client is refused for its `azp`; the client-credentials grant with
//! `client_secret_basic` (a secret that must be form-encoded) and `client_secret_post`;
//! the refresh-token grant on the refresh token of a code-flow login, and userinfo with
//! the access token it returns; the provider's own refusals (a wrong client secret, a
//! refresh token it never issued, userinfo for a token of no user).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use floe_core::SpanKind;
use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::{IdentityProvider as _, TokenGrant};
use floe_core::secret::Secret;
use floe_core::telemetry::attr;
use floe_identity_keycloak::{KeycloakError, KeycloakPlugin, Rejection};
use floe_otel_testkit::expect::tree;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::{Capture, expect};
use serde_json::{Value, json};

use super::op;
use crate::plugin_with;
use crate::provider::{CLIENT_ID, OTHER_CLIENT_ID, POST_CLIENT_ID, REALM, provider};

fn client_credentials() -> TokenGrant {
    TokenGrant::ClientCredentials { scopes: vec![] }
}

fn platform() -> KeycloakPlugin {
    let provider = provider();
    plugin_with(provider.config(CLIENT_ID, &provider.client_secret))
}

/// The decoded header and claims of a compact JWS.
fn decoded(token: &str) -> (Value, Value) {
    let part = |i: usize| -> Value {
        let part = token.split('.').nth(i).expect("a compact JWS has three parts");
        let bytes = URL_SAFE_NO_PAD.decode(part).expect("each part is base64url");
        serde_json::from_slice(&bytes).expect("header and claims are JSON")
    };
    (part(0), part(1))
}

#[tokio::test]
async fn a_keycloak_shaped_token_from_the_real_provider_validates() {
    let plugin = platform();
    let capture = Capture::start();

    let token = plugin.token(&client_credentials()).await.unwrap();
    let claims = plugin.validate_token(&token.access_token).await.unwrap();

    let (header, payload) = decoded(token.access_token.expose());
    assert_eq!(header["alg"], "RS256");
    assert_eq!(payload["aud"], "account", "Keycloak's default audience");
    assert_eq!(payload["azp"], CLIENT_ID, "Keycloak names the client in azp");
    assert_eq!(payload["iss"], provider().issuer(REALM));
    assert_eq!(claims.audience, ["account"]);
    assert_eq!(claims.issuer, provider().issuer(REALM));
    assert_eq!(claims.subject, CLIENT_ID, "oidc-provider's subject of a client's own token");
    capture.assert_tree(
        tree(
            op("identity.get_token", SpanKind::Client)
                .root()
                .ok()
                .attr(attr::IDENTITY_GRANT_TYPE, "client_credentials")
                .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
        )
        .child(tree(op("identity.discover", SpanKind::Client).ok())),
    );
    capture.assert_one(
        op("identity.validate_token", SpanKind::Internal)
            .root()
            .ok()
            .attr(attr::IDENTITY_TOKEN_VALID, true)
            .attr(attr::IDENTITY_KEY_ID, header["kid"].as_str().unwrap().to_owned())
            .attr_matches(attr::IDENTITY_SUBJECT_HASH, "^sha256:[0-9a-f]{32}$")
            .no_attr(attr::IDENTITY_REJECTION_REASON),
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&provider().client_secret, &[]);
    capture.assert_secret_nowhere(token.access_token.expose(), &[]);
}

#[tokio::test]
async fn a_token_the_real_provider_issued_to_another_client_is_refused_for_its_azp() {
    let provider = provider();
    let reports = plugin_with(provider.config(OTHER_CLIENT_ID, &provider.other_secret));
    let theirs = reports.token(&client_credentials()).await.unwrap();
    let plugin = platform();
    let capture = Capture::start();

    let error = plugin.validate_token(&theirs.access_token).await.unwrap_err();

    let (_, payload) = decoded(theirs.access_token.expose());
    assert_eq!((&payload["aud"], &payload["azp"]), (&json!("account"), &json!(OTHER_CLIENT_ID)));
    assert_eq!(error.rejection(), Some(Rejection::WrongAuthorizedParty));
    capture.assert_one(
        op("identity.validate_token", SpanKind::Internal)
            .root()
            .error_containing("token rejected by realm floe: wrong_authorized_party")
            .exception("KeycloakError")
            .attr(attr::IDENTITY_TOKEN_VALID, false)
            .attr(attr::IDENTITY_REJECTION_REASON, "wrong_authorized_party"),
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(theirs.access_token.expose(), &[&format!("{error:?}")]);
}

#[tokio::test]
async fn client_secret_post_is_accepted_by_the_real_provider() {
    let provider = provider();
    let mut config = provider.config(POST_CLIENT_ID, &provider.client_secret);
    config["client_auth"] = json!("client_secret_post");
    config["authorized_parties"] = json!([POST_CLIENT_ID]);
    let plugin = plugin_with(config);
    let capture = Capture::start();

    let token = plugin.token(&client_credentials()).await.unwrap();

    let claims = plugin.validate_token(&token.access_token).await.unwrap();
    assert_eq!(claims.extra["azp"], POST_CLIENT_ID);
    capture.assert_one(
        op("identity.get_token", SpanKind::Client)
            .root()
            .ok()
            .attr(attr::IDENTITY_GRANT_TYPE, "client_credentials")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
    );
    capture.assert_no_secret(&provider.client_secret);
}

#[tokio::test]
async fn a_wrong_client_secret_is_refused_by_the_real_provider_without_the_secret() {
    let wrong = planted_secret();
    let plugin = plugin_with(provider().config(CLIENT_ID, &wrong));
    let capture = Capture::start();

    let error = plugin.token(&client_credentials()).await.unwrap_err();

    assert!(matches!(&error, KeycloakError::Peer { .. }), "{error:?}");
    assert!(
        error.to_string().ends_with(
            "refused the credentials (401): client authentication failed (invalid_client)"
        ),
        "{error}"
    );
    capture.assert_one(
        op("identity.get_token", SpanKind::Client)
            .root()
            .error_containing("the client_credentials grant in realm floe failed: ")
            .exception("KeycloakError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 401_i64),
    );
    capture.assert_secret_nowhere(&wrong, &[&error.to_string(), &format!("{error:?}")]);
}

#[tokio::test]
async fn a_code_flow_refresh_token_is_exchanged_and_its_access_token_reads_userinfo() {
    let subject = planted_secret();
    let login = provider().login(&subject).await;
    let refresh_token = Secret::new(login.refresh_token.clone());
    let plugin = platform();
    let capture = Capture::start();

    let refreshed =
        plugin.token(&TokenGrant::RefreshToken { refresh_token, scopes: vec![] }).await.unwrap();
    let user = plugin.userinfo(&refreshed.access_token).await.unwrap();

    assert_eq!(user.subject, subject);
    assert_eq!(user.claims["preferred_username"], subject.as_str());
    capture.assert_one(
        op("identity.get_token", SpanKind::Client)
            .root()
            .ok()
            .attr(attr::IDENTITY_GRANT_TYPE, "refresh_token")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
    );
    capture.assert_one(
        op("identity.userinfo", SpanKind::Client)
            .root()
            .ok()
            .attr_matches(attr::IDENTITY_SUBJECT_HASH, "^sha256:[0-9a-f]{32}$"),
    );
    capture.spans().assert_conforms();
    for secret in [&subject, &login.refresh_token, refreshed.access_token.expose()] {
        capture.assert_secret_nowhere(secret, &[]);
    }
}

#[tokio::test]
async fn a_refresh_token_the_real_provider_never_issued_is_refused_without_the_token() {
    let forged = planted_secret();
    let plugin = platform();
    let capture = Capture::start();

    let grant =
        TokenGrant::RefreshToken { refresh_token: Secret::new(forged.clone()), scopes: vec![] };
    let error = plugin.token(&grant).await.unwrap_err();

    assert!(
        error
            .to_string()
            .ends_with("refused the request (400): grant request is invalid (invalid_grant)"),
        "{error}"
    );
    capture.assert_one(
        op("identity.get_token", SpanKind::Client)
            .root()
            .error_containing("the refresh_token grant in realm floe failed: ")
            .attr(attr::IDENTITY_GRANT_TYPE, "refresh_token"),
    );
    capture.assert_secret_nowhere(&forged, &[&error.to_string(), &format!("{error:?}")]);
}

/// The old loopback peer answered userinfo for any token it had issued; a real provider
/// answers only for a user's token (OpenID Connect Core 5.3), never for a client's own.
#[tokio::test]
async fn the_real_provider_refuses_userinfo_for_a_client_credentials_token() {
    let plugin = platform();
    let token = plugin.token(&client_credentials()).await.unwrap();
    let capture = Capture::start();

    let error = plugin.userinfo(&token.access_token).await.unwrap_err();

    assert!(
        error
            .to_string()
            .ends_with("refused the credentials (401): invalid token provided (invalid_token)"),
        "{error}"
    );
    capture.assert_one(
        op("identity.userinfo", SpanKind::Client)
            .root()
            .error_containing("userinfo in realm floe failed: ")
            .exception("KeycloakError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 401_i64),
    );
    capture.assert_secret_nowhere(token.access_token.expose(), &[&format!("{error:?}")]);
}

#[tokio::test]
async fn discovery_and_health_read_the_real_providers_realm_document() {
    let plugin = platform();
    let capture = Capture::start();

    let document = plugin.discover().await.unwrap();
    let healthy = plugin.health_check().await;

    let issuer = provider().issuer(REALM);
    assert_eq!(document["issuer"], issuer);
    assert_eq!(document["token_endpoint"], format!("{issuer}/protocol/openid-connect/token"));
    assert_eq!(document["jwks_uri"], format!("{issuer}/protocol/openid-connect/certs"));
    assert!(healthy.is_healthy(), "{healthy:?}");
    capture.assert_one(op("identity.discover", SpanKind::Client).root().ok());
    capture.assert_one(expect::span("identity.health_check").root().ok().floe_attributes());
    capture.spans().assert_conforms();
}
