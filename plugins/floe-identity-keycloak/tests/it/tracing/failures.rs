//! Every way each operation fails, driven on the spec-checking loopback server (the real
//! provider's own refusals are in `real`): the peer refuses or cannot be read
//! (`KeycloakError::Peer`), answers what the protocol does not allow (`Protocol`),
//! announces an endpoint on another origin (`Endpoint`), or the configuration lacks what
//! a grant needs (`Config`). Each ends the operation's root span as an error naming what
//! happened, and no planted credential reaches a span or the error.

use floe_core::SpanKind;
use floe_core::plugin::categories::{IdentityProvider as _, TokenGrant};
use floe_core::secret::Secret;
use floe_identity_keycloak::{KeycloakError, KeycloakPlugin};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::http::LoopbackServer;
use floe_otel_testkit::{Capture, expect};

use super::op;
use crate::peer::{KID, OidcServer, Signer, USERNAME, claims_for, sign};
use crate::{plugin, plugin_with};

/// How a case breaks the realm: the loopback server and another origin it may point to.
type Setup = fn(&OidcServer, &LoopbackServer);

fn elsewhere(other: &LoopbackServer) -> String {
    other.url("/realms/floe/protocol/openid-connect/elsewhere")
}

/// A case run: the operation's error and what it ran against.
struct Ran {
    error: KeycloakError,
    capture: Capture,
    secret: String,
    other: LoopbackServer,
    _server: OidcServer,
}

/// Runs the operation `run` drives against a fresh realm broken by `setup`.
async fn run_case<F, Fut>(setup: Setup, run: F) -> Ran
where
    F: FnOnce(KeycloakPlugin, String) -> Fut,
    Fut: Future<Output = Result<(), KeycloakError>>,
{
    let secret = planted_secret();
    let server = OidcServer::start(&secret, &secret, "subject");
    let other = LoopbackServer::start(axum::Router::new());
    setup(&server, &other);
    let capture = Capture::start();
    let error = run(plugin(&server, &secret), secret.clone()).await.expect_err("a broken realm");
    Ran { error, capture, secret, other, _server: server }
}

impl Ran {
    /// What every failure must hold beside its span: the error says `expected`, the
    /// spans conform, no credential is anywhere, the other origin was never contacted.
    fn check(&self, expected: &str) {
        let error = &self.error;
        assert!(error.to_string().contains(expected), "{error} should say {expected}");
        self.capture.spans().assert_conforms();
        self.capture
            .assert_secret_nowhere(&self.secret, &[&error.to_string(), &format!("{error:?}")]);
        assert!(self.other.requests().is_empty(), "another origin was contacted: {error}");
    }
}

#[tokio::test]
async fn discovery_fails_when_the_realm_is_missing_names_another_issuer_or_another_origin() {
    let cases: [(Setup, &str); 4] = [
        (
            |s, _| s.announce_issuer("https://attacker.example/realms/floe"),
            "unexpected answer from keycloak for discovery in realm floe: the document names another issuer",
        ),
        (
            |s, o| s.announce("jwks_uri", &elsewhere(o)),
            "the discovery document of realm floe announces a jwks_uri the plugin will not call",
        ),
        (|s, _| s.unavailable(5), "discovery in realm floe failed: "),
        (
            |s, _| s.announce("token_endpoint", "not a url"),
            "announces a token_endpoint the plugin will not call: the url is not valid",
        ),
    ];
    for (setup, expected) in cases {
        let ran =
            run_case(setup, |plugin, _| async move { plugin.discover().await.map(drop) }).await;

        ran.capture.assert_one(
            op("identity.discover", SpanKind::Client)
                .root()
                .error_containing(expected)
                .exception("KeycloakError"),
        );
        ran.check(expected);
    }
}

#[tokio::test]
async fn discovery_of_a_missing_realm_is_a_peer_error_naming_the_status() {
    let server = OidcServer::start("cs", "pw", "subject");
    let capture = Capture::start();

    let error = plugin(&server, "cs").for_realm("missing").unwrap().discover().await.unwrap_err();

    assert!(matches!(&error, KeycloakError::Peer { .. }), "{error:?}");
    capture.assert_one(
        expect::span("identity.discover")
            .root()
            .error_containing("discovery in realm missing failed: ")
            .attr(floe_core::telemetry::attr::HTTP_RESPONSE_STATUS_CODE, 404_i64),
    );
}

#[tokio::test]
async fn a_grant_fails_on_a_refused_secret_a_foreign_token_type_or_another_origin() {
    let cases: [(Setup, &str); 3] = [
        (
            |s, _| s.token_type("mac"),
            "unexpected answer from keycloak for the password grant in realm floe: the token_type is not Bearer",
        ),
        (
            |s, o| s.announce("token_endpoint", &elsewhere(o)),
            "the discovery document of realm floe announces a token_endpoint the plugin will not call",
        ),
        (
            |s, _| s.announce("token_endpoint", &format!("{}/realms/floe/no-such-token", s.url())),
            "the password grant in realm floe failed: ",
        ),
    ];
    for (setup, expected) in cases {
        let ran = run_case(setup, |plugin, secret| async move {
            let grant = TokenGrant::Password {
                username: USERNAME.to_owned(),
                password: Secret::new(secret),
                scopes: vec![],
            };
            plugin.token(&grant).await.map(drop)
        })
        .await;

        ran.capture.assert_one(
            op("identity.get_token", SpanKind::Client)
                .root()
                .error_containing(expected)
                .exception("KeycloakError"),
        );
        ran.check(expected);
    }
}

#[tokio::test]
async fn a_client_credentials_grant_without_a_secret_is_a_traced_config_error() {
    let server = OidcServer::start("cs", "pw", "s");
    let mut config = server.config("unused");
    config.as_object_mut().unwrap().remove("client_secret");
    let capture = Capture::start();

    let error = plugin_with(config)
        .token(&TokenGrant::ClientCredentials { scopes: vec![] })
        .await
        .unwrap_err();

    assert!(matches!(&error, KeycloakError::Config { key: "client_secret", .. }), "{error:?}");
    capture.assert_one(
        op("identity.get_token", SpanKind::Client)
            .root()
            .error_containing("the configuration key client_secret is invalid: the client_credentials grant needs a client secret")
            .attr(floe_core::telemetry::attr::IDENTITY_GRANT_TYPE, "client_credentials"),
    );
    assert_eq!(
        server.requests().iter().filter(|r| r.path.ends_with("/token")).count(),
        0,
        "nothing is sent"
    );
}

#[tokio::test]
async fn userinfo_fails_on_a_refused_token_a_missing_endpoint_or_another_origin() {
    let cases: [(Setup, &str); 3] = [
        (|_, _| {}, "userinfo in realm floe failed: "),
        (
            |s, _| s.withhold("userinfo_endpoint"),
            "unexpected answer from keycloak for userinfo in realm floe: the realm announces no userinfo_endpoint",
        ),
        (
            |s, o| s.announce("userinfo_endpoint", &elsewhere(o)),
            "the discovery document of realm floe announces a userinfo_endpoint the plugin will not call",
        ),
    ];
    for (setup, expected) in cases {
        let ran = run_case(setup, |plugin, secret| async move {
            plugin.userinfo(&Secret::new(secret)).await.map(drop)
        })
        .await;

        ran.capture.assert_one(
            op("identity.userinfo", SpanKind::Client)
                .root()
                .error_containing(expected)
                .exception("KeycloakError"),
        );
        ran.check(expected);
    }
}

#[tokio::test]
async fn validation_fails_when_the_key_set_cannot_be_fetched_or_is_elsewhere() {
    let cases: [(Setup, &str); 3] = [
        (
            |s, _| s.announce("jwks_uri", &format!("{}/realms/floe/no-such-certs", s.url())),
            "the key set fetch in realm floe failed: ",
        ),
        (
            |s, _| s.extra_keys(65),
            "unexpected answer from keycloak for the key set fetch in realm floe: the key set holds more keys",
        ),
        (
            |s, o| s.announce("jwks_uri", &elsewhere(o)),
            "the discovery document of realm floe announces a jwks_uri the plugin will not call",
        ),
    ];
    for (setup, expected) in cases {
        let ran = run_case(setup, |plugin, subject: String| async move {
            let claims = claims_for(&plugin.expected_issuer(), &subject);
            plugin
                .validate_token(&Secret::new(sign(&claims, Signer::Realm, Some(KID))))
                .await
                .map(drop)
        })
        .await;

        ran.capture.assert_one(
            op("identity.validate_token", SpanKind::Internal)
                .root()
                .error_containing(expected)
                .exception("KeycloakError")
                .attr(floe_core::telemetry::attr::IDENTITY_TOKEN_VALID, false)
                .no_attr(floe_core::telemetry::attr::IDENTITY_REJECTION_REASON),
        );
        ran.check(expected);
    }
}
