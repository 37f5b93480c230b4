//! The defects of issue 19, each driven for real: endpoints of the discovery document on
//! another origin are refused before any credential is sent; the key set is fetched again
//! for unknown keys at most once per cooldown, and a key set past the bound is refused;
//! an `error_description` echoing the credentials the call sent is scrubbed of them.
//! (Plain `http` to another host is in `config.rs`.)

use floe_core::plugin::categories::{IdentityProvider as _, TokenGrant};
use floe_core::secret::Secret;
use floe_identity_keycloak::Rejection;
use floe_otel_testkit::Capture;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::http::LoopbackServer;
use serde_json::json;

use crate::peer::{self, KID, OidcServer, Signer, USERNAME, sign};
use crate::{plugin, plugin_with};

fn certs_fetches(server: &OidcServer) -> usize {
    server.requests().iter().filter(|r| r.path.ends_with("/certs")).count()
}

#[tokio::test]
async fn endpoints_on_another_origin_are_refused_before_any_credential_is_sent() {
    let client_secret = planted_secret();
    let password = planted_secret();
    let access_token = planted_secret();
    // Another origin that would answer anything; it must never be contacted.
    let elsewhere = LoopbackServer::start(axum::Router::new());
    for endpoint in ["token_endpoint", "userinfo_endpoint", "jwks_uri"] {
        let server = OidcServer::start(&client_secret, &password, "subject");
        server.announce(endpoint, &elsewhere.url("/realms/floe/protocol/openid-connect/x"));
        let plugin = plugin(&server, &client_secret);
        let grant = TokenGrant::Password {
            username: USERNAME.to_owned(),
            password: Secret::new(password.clone()),
            scopes: vec![],
        };
        let capture = Capture::start();

        let token = plugin.token(&grant).await.unwrap_err();
        let user = plugin.userinfo(&Secret::new(access_token.clone())).await.unwrap_err();
        let claims = sign(&server.claims("s"), Signer::Realm, Some(KID));
        let validated = plugin.validate_token(&Secret::new(claims)).await.unwrap_err();

        assert!(elsewhere.requests().is_empty(), "{endpoint}: the other origin was contacted");
        for error in [&token, &user, &validated] {
            assert_eq!(
                error.to_string(),
                format!(
                    "the discovery document of realm floe announces a {endpoint} the plugin will not call: the url of {} is not on the origin of {}",
                    elsewhere.url("").trim_start_matches("http://"),
                    server.url().trim_start_matches("http://"),
                )
            );
        }
        let sent = server.requests();
        assert!(sent.iter().all(|r| r.path.ends_with("/openid-configuration")), "{endpoint}");
        for secret in [&client_secret, &password, &access_token] {
            capture.assert_secret_nowhere(secret, &[&format!("{token:?} {user:?}")]);
        }
    }
}

#[tokio::test]
async fn unknown_keys_fetch_the_key_set_again_at_most_once_per_cooldown() {
    let server = OidcServer::start("cs", "pw", "subject");
    let good = sign(&server.claims("s"), Signer::Realm, Some(KID));
    let patient = plugin(&server, "cs");

    patient.validate_token(&Secret::new(good.clone())).await.unwrap();
    for attempt in 0..5 {
        let unknown = sign(&server.claims("s"), Signer::Realm, Some(&format!("kid-{attempt}")));
        let error = patient.validate_token(&Secret::new(unknown)).await.unwrap_err();
        assert_eq!(error.rejection(), Some(Rejection::UnknownKey));
    }

    assert_eq!(certs_fetches(&server), 1, "five unknown keys within the cooldown fetch nothing");
}

#[tokio::test]
async fn without_a_cooldown_an_unknown_key_fetches_the_key_set_once_more() {
    let server = OidcServer::start("cs", "pw", "subject");
    let mut config = server.config("cs");
    config["jwks_min_refresh_secs"] = json!(0);
    let eager = plugin_with(config);
    eager
        .validate_token(&Secret::new(sign(&server.claims("s"), Signer::Realm, Some(KID))))
        .await
        .unwrap();

    let rotated = sign(&server.claims("s"), Signer::Realm, Some("rotated-in"));
    let error = eager.validate_token(&Secret::new(rotated)).await.unwrap_err();

    assert_eq!(error.rejection(), Some(Rejection::UnknownKey));
    assert_eq!(certs_fetches(&server), 2, "a rotation is looked for once more");
}

#[tokio::test]
async fn a_key_set_past_the_bound_is_refused() {
    let server = OidcServer::start("cs", "pw", "subject");
    server.extra_keys(100);

    let error = plugin(&server, "cs")
        .validate_token(&Secret::new(sign(&server.claims("s"), Signer::Realm, Some(KID))))
        .await
        .unwrap_err();

    assert_eq!(
        error.to_string(),
        "unexpected answer from keycloak for the key set fetch in realm floe: the key set holds more keys than the plugin reads"
    );
}

/// Plain-looking credentials (no shape the sanitizer knows) quoted by the token and
/// userinfo endpoints: only the scrub of what the call sent can remove them.
#[tokio::test]
async fn an_error_description_quoting_the_credentials_sent_is_scrubbed_of_them() {
    let client_secret = "plain-looking-client-secret-value".to_owned();
    let password = "correct horse battery staple".to_owned();
    let access_token = "plain-looking-access-token-value".to_owned();
    let server = OidcServer::start(&client_secret, &password, "subject");
    server.echo_credentials();
    let plugin = plugin(&server, &client_secret);
    let grant = TokenGrant::Password {
        username: USERNAME.to_owned(),
        password: Secret::new(password.clone()),
        scopes: vec![],
    };
    let capture = Capture::start();

    let granted = plugin.token(&grant).await.unwrap_err();
    let user = plugin.userinfo(&Secret::new(access_token.clone())).await.unwrap_err();

    assert!(
        granted.to_string().ends_with(&format!(
            "refused the request (400): client {} with secret <redacted> and user <redacted> with password <redacted> refused (invalid_grant)",
            peer::CLIENT_ID
        )),
        "{granted}"
    );
    assert!(
        user.to_string()
            .ends_with("refused the credentials (401): token <redacted> refused (invalid_token)"),
        "{user}"
    );
    let texts =
        [granted.to_string(), format!("{granted:?}"), user.to_string(), format!("{user:?}")];
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    for secret in [&client_secret, &password, &access_token, &USERNAME.to_owned()] {
        capture.assert_secret_nowhere(secret, &texts);
    }
}
