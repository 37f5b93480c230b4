//! floe-identity-keycloak against the hostile peer. The credential is the client secret
//! (sent with `client_secret_basic`); the planted value is the user's password, the
//! refresh token or the access token the operation sends. Discovery, start-up and the
//! health check get the hostile answer first; each grant, userinfo and the key-set fetch
//! of a validation get it behind a discovery document the plugin's own loopback realm
//! serves; a grant and a validation also get it on their discovery.
//!
//! Behaviour (f), OIDC only: a discovery document whose endpoint leaves the issuer's
//! origin (another port, or another scheme) is refused before any credential is sent, and
//! the other origin is never contacted; one case per endpoint and operation, all at once.

use std::time::{Duration, Instant};

use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::{IdentityProvider as _, TokenGrant};
use floe_core::secret::Secret;
use floe_core::telemetry::sanitize_error_message;
use floe_identity_keycloak::KeycloakPlugin;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::hostile::{Behaviour, HostilePeer, When};
use floe_otel_testkit::{Capture, expect};
use opentelemetry::trace::Status;

use super::{CREDENTIAL_REF, Op, RETRY, Row, Run, health, hostile_rows, outcome};

/// The plugin's own loopback realm (shared with its tests and contract row).
use crate::rows::identity_keycloak::peer;

const DISCOVERY: &str = "/realms/floe/.well-known/";
const TOKEN: &str = "/realms/floe/protocol/openid-connect/token";
const USERINFO: &str = "/realms/floe/protocol/openid-connect/userinfo";
const CERTS: &str = "/realms/floe/protocol/openid-connect/certs";

fn config(url: &str) -> serde_json::Value {
    serde_json::json!({
        "server_url": url, "realm": "floe", "client_id": peer::CLIENT_ID,
        "client_secret": CREDENTIAL_REF, "timeout_secs": 2,
    })
}

pub(crate) const ROW: Row = Row {
    plugin: "identity-keycloak",
    category: "identity",
    kind: "keycloak",
    config,
    timeout: Duration::from_secs(2),
    ops: &[
        first("discover", "identity.discover", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.discover().await) })
        }),
        first("startup", "identity.discover", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.startup().await) })
        }),
        first("health_check", "identity.health_check", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { health(plugin.health_check().await) })
        }),
        behind("client_credentials_grant", "identity.get_token", TOKEN, |config, _| {
            let plugin = plugin(config);
            let grant = TokenGrant::ClientCredentials { scopes: vec![] };
            Box::pin(async move { outcome(plugin.token(&grant).await) })
        }),
        behind("password_grant", "identity.get_token", TOKEN, |config, value| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.token(&password(value)).await) })
        }),
        behind("refresh_token_grant", "identity.get_token", TOKEN, |config, value| {
            let plugin = plugin(config);
            let grant =
                TokenGrant::RefreshToken { refresh_token: Secret::new(value), scopes: vec![] };
            Box::pin(async move { outcome(plugin.token(&grant).await) })
        }),
        behind("grant_discovery", "identity.get_token", DISCOVERY, |config, value| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.token(&password(value)).await) })
        }),
        behind("userinfo", "identity.userinfo", USERINFO, |config, value| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.userinfo(&Secret::new(value)).await) })
        }),
        behind("validate_token_key_set", "identity.validate_token", CERTS, validate),
        behind("validate_token_discovery", "identity.validate_token", DISCOVERY, validate),
    ],
};

/// An operation whose first call (discovery) gets the hostile answer.
const fn first(
    name: &'static str,
    span: &'static str,
    run: fn(serde_json::Value, String) -> Run,
) -> Op {
    Op { name, span, when: When::Always, normal: None, run }
}

/// An operation whose calls under `path` get the hostile answer, the others the
/// plugin's loopback realm.
const fn behind(
    name: &'static str,
    span: &'static str,
    path: &'static str,
    run: fn(serde_json::Value, String) -> Run,
) -> Op {
    Op { name, span, when: When::PathStartsWith(path), normal: Some(peer::router_for), run }
}

fn plugin(config: serde_json::Value) -> KeycloakPlugin {
    let config = serde_json::from_value(config).expect("the row's config decodes");
    KeycloakPlugin::new(&config).expect("the row's config is valid").with_retry_policy(RETRY)
}

fn password(value: String) -> TokenGrant {
    TokenGrant::Password {
        username: peer::USERNAME.to_owned(),
        password: Secret::new(value),
        scopes: vec![],
    }
}

/// Validates a token of the realm's shape and key, whose subject is the planted value.
#[expect(clippy::needless_pass_by_value, reason = "the row's operations share one signature")]
fn validate(config: serde_json::Value, value: String) -> Run {
    let issuer = format!("{}/realms/floe", config["server_url"].as_str().unwrap_or_default());
    let token =
        peer::sign(&peer::claims_for(&issuer, &value), peer::Signer::Realm, Some(peer::KID));
    let plugin = plugin(config);
    Box::pin(async move { outcome(plugin.validate_token(&Secret::new(token)).await) })
}

hostile_rows!(ROW);

/// The endpoints a discovery document announces, and the operation that would send a
/// credential to each.
const ENDPOINTS: [(&str, &str, &str); 5] = [
    ("token_endpoint", "client_credentials_grant", "identity.get_token"),
    ("token_endpoint", "password_grant", "identity.get_token"),
    ("token_endpoint", "refresh_token_grant", "identity.get_token"),
    ("userinfo_endpoint", "userinfo", "identity.userinfo"),
    ("jwks_uri", "validate_token_key_set", "identity.validate_token"),
];

#[test]
fn discovery_endpoints_leaving_the_issuers_origin_are_refused_before_any_credential_is_sent() {
    let cases: Vec<(&str, &str, &str, bool)> = ENDPOINTS
        .iter()
        .flat_map(|&(key, op, span)| [(key, op, span, false), (key, op, span, true)])
        .collect();
    std::thread::scope(|scope| {
        let running: Vec<_> = cases
            .iter()
            .map(|&(key, op, span, other_scheme)| {
                scope.spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("a current-thread runtime");
                    runtime.block_on(other_origin_case(key, op, span, other_scheme));
                })
            })
            .collect();
        for case in running {
            case.join().expect("every (f) case passes");
        }
    });
}

/// One (f) case: `key` announced on another port (or, with `other_scheme`, as `https` on
/// the issuer's host and port), the operation `op` run against it.
async fn other_origin_case(key: &'static str, op: &str, span: &str, other_scheme: bool) {
    let case = format!(
        "identity-keycloak {op} {key} other-{}",
        if other_scheme { "scheme" } else { "origin" }
    );
    let credential = planted_secret();
    let value = planted_secret();
    let realm = peer::OidcServer::start(&credential, peer::PASSWORD, "subject");
    // Would echo whatever reached it; it must never be reached.
    let elsewhere = HostilePeer::start(Behaviour::Echo { status: 401 });
    let target = if other_scheme {
        realm.url().replacen("http://", "https://", 1)
    } else {
        elsewhere.url("")
    };
    realm.announce(key, &format!("{target}/realms/floe/protocol/openid-connect/x"));
    let mut config = config(&realm.url());
    config["client_secret"] = serde_json::json!(credential);

    let capture = Capture::start();
    let run = ROW.ops.iter().find(|o| o.name == op).expect("an operation of the row").run;
    let operation = capture.in_scope(|| run(config, value.clone()));
    let started = Instant::now();
    let ended = capture.bind(operation).await;
    let took = started.elapsed();

    let Err((text, debug)) = ended else { panic!("{case}: the operation succeeded") };
    eprintln!("hostile {case} {} ms: {text}", took.as_millis());
    assert!(
        text.contains(&format!("announces a {key} the plugin will not call")),
        "{case}: {text}"
    );
    assert!(text.contains("is not on the origin of"), "{case}: {text}");
    assert!(took <= Duration::from_secs(3), "{case}: took {took:?}");
    assert_eq!(elsewhere.requests().len(), 0, "{case}: the other origin was contacted");
    let sent = realm.requests();
    assert!(sent.iter().all(|r| r.path.ends_with("/openid-configuration")), "{case}: {sent:?}");
    let span = capture.assert_one(expect::span(span).root().error());
    let Status::Error { description } = &span.status else { unreachable!("asserted error") };
    assert_eq!(sanitize_error_message(description).as_str(), description.as_ref(), "{case}");
    for secret in [&credential, &value] {
        capture.assert_secret_nowhere(secret, &[&text, &debug]);
    }
}
