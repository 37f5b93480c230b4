//! The plugin speaks OpenID Connect as Keycloak expects: discovery at the realm's
//! well-known URL, form-encoded token requests, bearer userinfo, JWKS caching, and the
//! validation rules (keys, algorithms, audience, leeway).

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

#[tokio::test]
async fn token_requests_are_form_posts_to_the_discovered_endpoint() {
    // URL-hostile characters around planted credentials: the form must encode them.
    let client_secret = format!("s3cret&={}", planted_secret());
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
    let first = &requests[1];
    assert_eq!(first.method, "POST");
    assert_eq!(first.header("content-type"), Some("application/x-www-form-urlencoded"));
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(
        form(&first.body),
        [
            pair("grant_type", "client_credentials"),
            pair("client_id", CLIENT_ID),
            pair("client_secret", &client_secret),
        ]
    );
    assert_eq!(
        form(&requests[2].body),
        [
            pair("grant_type", "password"),
            pair("client_id", CLIENT_ID),
            pair("client_secret", &client_secret),
            pair("username", USERNAME),
            pair("password", &password),
            pair("scope", "openid profile"),
        ]
    );
    capture.assert_secret_nowhere(&client_secret, &[]);
    capture.assert_secret_nowhere(&password, &[]);
}

#[tokio::test]
async fn userinfo_sends_the_access_token_as_bearer_and_a_refused_token_is_an_error() {
    let subject = planted_secret();
    let forged = planted_secret();
    let server = OidcServer::start("cs", "pw", &subject);
    let plugin = plugin(&server, "cs");
    let token = plugin.token(&TokenGrant::ClientCredentials { scopes: vec![] }).await.unwrap();
    let capture = Capture::start();

    let user = plugin.userinfo(&token.access_token).await.unwrap();
    let refused = plugin.userinfo(&Secret::new(forged.clone())).await.unwrap_err();

    let call = server.requests().into_iter().find(|r| r.path.ends_with("/userinfo")).unwrap();
    assert_eq!(
        call.header("authorization"),
        Some(format!("Bearer {}", token.access_token.expose()).as_str())
    );
    assert_eq!(
        refused.to_string(),
        "keycloak refused userinfo in realm floe: 401 invalid_token: Token verification failed"
    );
    assert_eq!(user.subject, subject);
    capture.assert_secret_nowhere(&subject, &[]);
    capture.assert_secret_nowhere(&forged, &[&refused.to_string(), &format!("{refused:?}")]);
    capture.assert_secret_nowhere(token.access_token.expose(), &[]);
}

#[tokio::test]
async fn the_key_set_is_cached_and_refetched_once_for_an_unknown_key() {
    let server = OidcServer::start("cs", "pw", "subject");
    let plugin = plugin(&server, "cs");
    let good = sign(&server.claims("s"), Signer::Realm, Some(KID));
    let unknown = sign(&server.claims("s"), Signer::Realm, Some("next-key"));

    for _ in 0..3 {
        plugin.validate_token(&Secret::new(good.clone())).await.unwrap();
    }
    let rejected = plugin.validate_token(&Secret::new(unknown)).await.unwrap_err();

    let fetches = server.requests().iter().filter(|r| r.path.ends_with("/certs")).count();
    assert_eq!(fetches, 2, "one fetch for the first token, one more for the unknown kid");
    assert_eq!(rejected.rejection(), Some(Rejection::UnknownKey));
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
    config["audience"] = json!("account");
    config["leeway_secs"] = json!(60);
    let mut claims = server.claims("s");
    claims["aud"] = json!("account");
    claims["exp"] = json!(now() - 10);

    let accepted = plugin_with(config)
        .validate_token(&Secret::new(sign(&claims, Signer::Realm, Some(KID))))
        .await
        .unwrap();

    assert_eq!(accepted.audience, ["account"]);
    let strict = plugin(&server, "cs")
        .validate_token(&Secret::new(sign(&claims, Signer::Realm, Some(KID))))
        .await
        .unwrap_err();
    assert_eq!(
        strict.rejection(),
        Some(Rejection::Expired),
        "no leeway, and the default audience is the client id"
    );
}

#[tokio::test]
async fn a_discovery_document_announcing_another_issuer_is_refused() {
    let server = OidcServer::start("cs", "pw", "subject");
    server.announce_issuer("https://attacker.example/realms/floe");

    let error = plugin(&server, "cs").discover().await.unwrap_err();

    assert!(matches!(error, KeycloakError::Protocol { .. }), "{error}");
    assert!(error.to_string().contains("the announced issuer is not this realm's URL"), "{error}");
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
