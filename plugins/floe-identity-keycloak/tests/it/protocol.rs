//! The plugin speaks OpenID Connect as Keycloak expects, checked on the spec-checking
//! loopback server: discovery at the realm's well-known URL, form-encoded token requests
//! with `client_secret_basic` (RFC 6749 section 2.3.1) or `client_secret_post`, bearer
//! userinfo, and the validation rules (keys, algorithms, audience, authorized party,
//! leeway).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use floe_core::plugin::categories::{IdentityProvider as _, TokenGrant};
use floe_core::secret::Secret;
use floe_identity_keycloak::{KeycloakError, Rejection};
use floe_otel_testkit::Capture;
use floe_otel_testkit::fixtures::planted_secret;
use serde_json::json;

use crate::peer::{CLIENT_ID, KID, OidcServer, REALM, Signer, USERNAME, now, sign};
use crate::{plugin, plugin_with};

fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

fn encoded(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test]
async fn token_requests_authenticate_with_client_secret_basic_form_encoded_by_default() {
    // URL-hostile characters around planted credentials: Basic carries the form-encoded
    // secret (RFC 6749 section 2.3.1), the form the encoded password.
    let client_secret = format!("s3cret&=+%:{}", planted_secret());
    let password = format!("p@ss word+{}", planted_secret());
    let server = OidcServer::start(&client_secret, &password, "subject");
    let plugin = plugin(&server, &client_secret);
    let capture = Capture::start();

    plugin.token(&TokenGrant::ClientCredentials { scopes: vec![] }).await.unwrap();
    let grant = TokenGrant::Password {
        username: USERNAME.to_owned(),
        password: Secret::new(password.clone()),
        scopes: vec!["openid".to_owned(), "profile".to_owned()],
    };
    plugin.token(&grant).await.unwrap();

    let requests = server.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/realms/floe/.well-known/openid-configuration",
            "/realms/floe/protocol/openid-connect/token",
            "/realms/floe/protocol/openid-connect/token",
        ],
        "discovery is fetched once and cached"
    );
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", encoded(CLIENT_ID), encoded(&client_secret)))
    );
    for request in &requests[1..] {
        assert_eq!(request.method, "POST");
        assert_eq!(request.header("content-type"), Some("application/x-www-form-urlencoded"));
        assert_eq!(request.header("authorization"), Some(basic.as_str()));
    }
    assert_eq!(form(&requests[1].body), [pair("grant_type", "client_credentials")]);
    assert_eq!(
        form(&requests[2].body),
        [
            pair("grant_type", "password"),
            pair("username", USERNAME),
            pair("password", &password),
            pair("scope", "openid profile"),
        ]
    );
    capture.assert_secret_nowhere(&client_secret, &[]);
    capture.assert_secret_nowhere(&password, &[]);
}

#[tokio::test]
async fn client_secret_post_sends_the_client_in_the_form_and_no_authorization_header() {
    let client_secret = format!("s3cret&={}", planted_secret());
    let server = OidcServer::start(&client_secret, "pw", "subject");
    let mut config = server.config(&client_secret);
    config["client_auth"] = json!("client_secret_post");

    plugin_with(config).token(&TokenGrant::ClientCredentials { scopes: vec![] }).await.unwrap();

    let request = &server.requests()[1];
    assert_eq!(request.header("authorization"), None);
    assert_eq!(
        form(&request.body),
        [
            pair("grant_type", "client_credentials"),
            pair("client_id", CLIENT_ID),
            pair("client_secret", &client_secret),
        ]
    );
}

#[tokio::test]
async fn userinfo_sends_the_access_token_as_bearer_and_a_refused_token_is_an_error() {
    let subject = planted_secret();
    let forged = planted_secret();
    let server = OidcServer::start("cs", "pw", &subject);
    let plugin = plugin(&server, "cs");
    let grant = TokenGrant::Password {
        username: USERNAME.to_owned(),
        password: Secret::new("pw".to_owned()),
        scopes: vec![],
    };
    let token = plugin.token(&grant).await.unwrap();
    let capture = Capture::start();

    let user = plugin.userinfo(&token.access_token).await.unwrap();
    let refused = plugin.userinfo(&Secret::new(forged.clone())).await.unwrap_err();

    let call = server.requests().into_iter().find(|r| r.path.ends_with("/userinfo")).unwrap();
    assert_eq!(
        call.header("authorization"),
        Some(format!("Bearer {}", token.access_token.expose()).as_str())
    );
    assert!(
        refused.to_string().starts_with("userinfo in realm floe failed: 127.0.0.1:")
            && refused.to_string().ends_with(
                "refused the credentials (401): Token verification failed (invalid_token)"
            ),
        "{refused}"
    );
    assert_eq!(user.subject, subject);
    capture.assert_secret_nowhere(&subject, &[]);
    capture.assert_secret_nowhere(&forged, &[&refused.to_string(), &format!("{refused:?}")]);
    capture.assert_secret_nowhere(token.access_token.expose(), &[]);
}

/// What the old loopback server accepted and a real provider refuses (OpenID Connect
/// Core 5.3): userinfo for a client's own token, which carries no `openid` scope.
#[tokio::test]
async fn userinfo_refuses_a_clients_own_token_as_a_real_provider_does() {
    let server = OidcServer::start("cs", "pw", "subject");
    let plugin = plugin(&server, "cs");
    let token = plugin.token(&TokenGrant::ClientCredentials { scopes: vec![] }).await.unwrap();

    let refused = plugin.userinfo(&token.access_token).await.unwrap_err();

    assert!(
        refused
            .to_string()
            .ends_with("refused the credentials (403): Missing openid scope (insufficient_scope)"),
        "{refused}"
    );
}

#[tokio::test]
async fn a_token_without_kid_uses_the_only_signing_key_and_skips_encryption_keys() {
    let server = OidcServer::start("cs", "pw", "subject");

    let claims = plugin(&server, "cs")
        .validate_token(&Secret::new(sign(&server.claims("s"), Signer::Realm, None)))
        .await
        .unwrap();

    assert_eq!(claims.subject, "s");
}

#[tokio::test]
async fn only_configured_algorithms_are_accepted() {
    let server = OidcServer::start("cs", "pw", "subject");
    let mut config = server.config("cs");
    config["algorithms"] = json!(["PS256"]);

    let error = plugin_with(config)
        .validate_token(&Secret::new(sign(&server.claims("s"), Signer::Realm, Some(KID))))
        .await
        .unwrap_err();

    assert_eq!(error.rejection(), Some(Rejection::UnsupportedAlgorithm));
}

#[tokio::test]
async fn the_audience_and_the_leeway_are_configurable() {
    let server = OidcServer::start("cs", "pw", "subject");
    let mut config = server.config("cs");
    config["audience"] = json!("floe-api");
    config["leeway_secs"] = json!(60);
    let mut claims = server.claims("s");
    claims["aud"] = json!(["floe-api", "account"]);
    claims["exp"] = json!(now() - 10);

    let accepted = plugin_with(config)
        .validate_token(&Secret::new(sign(&claims, Signer::Realm, Some(KID))))
        .await
        .unwrap();

    assert_eq!(accepted.audience, ["floe-api", "account"]);
    claims["aud"] = json!("floe-api");
    claims["exp"] = json!(now() + 60);
    let default = plugin(&server, "cs")
        .validate_token(&Secret::new(sign(&claims, Signer::Realm, Some(KID))))
        .await
        .unwrap_err();
    assert_eq!(default.rejection(), Some(Rejection::WrongAudience), "the default is `account`");
    claims["aud"] = json!("account");
    claims["exp"] = json!(now() - 10);
    let strict = plugin(&server, "cs")
        .validate_token(&Secret::new(sign(&claims, Signer::Realm, Some(KID))))
        .await
        .unwrap_err();
    assert_eq!(strict.rejection(), Some(Rejection::Expired), "no leeway");
}

#[tokio::test]
async fn the_authorized_parties_are_the_client_unless_configured() {
    let server = OidcServer::start("cs", "pw", "subject");
    let mut claims = server.claims("s");
    claims["azp"] = json!("floe-reports");
    let reports = sign(&claims, Signer::Realm, Some(KID));
    claims.as_object_mut().unwrap().remove("azp");
    let anonymous = sign(&claims, Signer::Realm, Some(KID));
    let mut config = server.config("cs");
    config["authorized_parties"] = json!([CLIENT_ID, "floe-reports"]);
    let both = plugin_with(config);

    let refused = plugin(&server, "cs").validate_token(&Secret::new(reports.clone())).await;
    let accepted = both.validate_token(&Secret::new(reports)).await.unwrap();
    let missing = both.validate_token(&Secret::new(anonymous)).await.unwrap_err();

    assert_eq!(refused.unwrap_err().rejection(), Some(Rejection::WrongAuthorizedParty));
    assert_eq!(accepted.extra["azp"], "floe-reports");
    assert_eq!(missing.rejection(), Some(Rejection::WrongAuthorizedParty), "azp is required");
}

#[tokio::test]
async fn a_discovery_document_announcing_another_issuer_is_refused() {
    let server = OidcServer::start("cs", "pw", "subject");
    server.announce_issuer("https://attacker.example/realms/floe");

    let error = plugin(&server, "cs").discover().await.unwrap_err();

    assert!(matches!(error, KeycloakError::Protocol { .. }), "{error}");
    assert!(error.to_string().contains("names another issuer than this realm's URL"), "{error}");
}

#[tokio::test]
async fn discovery_returns_the_whole_document() {
    let server = OidcServer::start("cs", "pw", "subject");

    let document = plugin(&server, "cs").discover().await.unwrap();

    assert_eq!(document["issuer"], server.issuer(REALM));
    assert!(
        document["grant_types_supported"]
            .as_array()
            .is_some_and(|g| g.contains(&json!("password")))
    );
}
