//! The peers of the Polaris tests, shared with the contract row and the hostile rows:
//! - the real Iceberg REST catalog `lakana-server` (`floe_otel_testkit::lakana`, started
//!   once per test binary) for namespaces, tables, table loads and health;
//! - [`TokenEndpoint`]: Polaris's `OAuth2` client-credentials endpoint, which lakana
//!   does not serve, as a loopback that checks each request against RFC 6749 section 4.4
//!   and the Iceberg REST `OAuthTokenRequest`, and issues a real lakana token per grant;
//! - floe-iceberg's loopback catalog, which checks every request against the REST
//!   specification, for what lakana cannot do: vend storage credentials, and answer a
//!   hostile peer's normal requests.

use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use floe_otel_testkit::http::LoopbackServer;
use floe_otel_testkit::lakana::{ENVIRONMENT, IssuedToken, lakana};
use serde_json::{Value, json};

#[path = "../../../../packages/floe-iceberg/tests/it/server.rs"]
#[expect(
    dead_code,
    reason = "each including test crate uses a different part of the shared server"
)]
pub(crate) mod catalog;

pub(crate) use catalog::{TestCatalog, WAREHOUSE};

/// The principal's client id.
pub(crate) const CLIENT_ID: &str = "floe-principal";

/// The scope Polaris grants every principal role with, which the plugin asks for.
pub(crate) const SCOPE: &str = "PRINCIPAL_ROLE:ALL";

/// What the token endpoint knows and did.
#[derive(Debug, Default)]
struct Grants {
    secret: String,
    expires_in: Option<u64>,
    issued: Vec<IssuedToken>,
    requests: u32,
    scopes: Vec<String>,
    violations: Vec<String>,
}

/// The token endpoint: `POST /v1/oauth/tokens` (the path Polaris serves it at) grants
/// [`CLIENT_ID`] with its secret a lakana token per request, answering `expires_in`
/// (which only the client acts on: lakana tokens live until revoked).
#[derive(Debug)]
pub(crate) struct TokenEndpoint {
    server: LoopbackServer,
    grants: Arc<Mutex<Grants>>,
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    (status, [("content-type", "application/json")], body.to_string()).into_response()
}

fn form_field(form: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(form.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn grant(
    State(grants): State<Arc<Mutex<Grants>>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let form = String::from_utf8_lossy(&body).into_owned();
    let mut state = grants.lock().unwrap_or_else(PoisonError::into_inner);
    state.requests += 1;
    let mut violations = Vec::new();
    if method != Method::POST {
        violations.push(format!("{method}: the token endpoint takes POST"));
    }
    if header("content-type") != "application/x-www-form-urlencoded" {
        violations.push(format!("content type {:?}: a form is required", header("content-type")));
    }
    if header("accept") != "application/json" {
        violations.push("no Accept: application/json".to_owned());
    }
    if !header("authorization").is_empty() {
        violations.push("a client-credentials grant carries no bearer token".to_owned());
    }
    if !violations.is_empty() {
        state.violations.extend(violations);
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "malformed request");
    }
    if form_field(&form, "grant_type").as_deref() != Some("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "not supported");
    }
    state.scopes.push(form_field(&form, "scope").unwrap_or_default());
    let (id, secret) = (form_field(&form, "client_id"), form_field(&form, "client_secret"));
    if id.as_deref() != Some(CLIENT_ID) || secret.as_deref() != Some(state.secret.as_str()) {
        // Echo the credential like a careless server would: nothing may show it.
        let description = format!("unknown client or wrong secret: {form}");
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", &description);
    }
    let label = format!("polaris-grant-{}", state.issued.len() + 1);
    let issued = match lakana().issue_token(&label) {
        Ok(issued) => issued,
        Err(error) => {
            state.violations.push(format!("lakana issued no token: {error}"));
            return oauth_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", "");
        }
    };
    let mut answer = json!({
        "access_token": issued.token,
        "token_type": "bearer",
        "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
    });
    if let Some(expires_in) = state.expires_in {
        answer["expires_in"] = json!(expires_in);
    }
    state.issued.push(issued);
    (StatusCode::OK, [("content-type", "application/json")], answer.to_string()).into_response()
}

impl TokenEndpoint {
    /// Grants [`CLIENT_ID`] with `client_secret` tokens answered as valid for
    /// `expires_in` seconds.
    pub(crate) fn start(client_secret: &str, expires_in: Option<u64>) -> Self {
        let grants = Arc::new(Mutex::new(Grants {
            secret: client_secret.to_owned(),
            expires_in,
            ..Grants::default()
        }));
        let router = Router::new()
            .route("/v1/oauth/tokens", axum::routing::any(grant))
            .with_state(Arc::clone(&grants));
        Self { server: LoopbackServer::start(router), grants }
    }

    /// The endpoint's URL.
    pub(crate) fn url(&self) -> String {
        self.server.url("/v1/oauth/tokens")
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Grants> {
        self.grants.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The tokens issued so far, oldest first.
    pub(crate) fn issued_tokens(&self) -> Vec<String> {
        self.lock().issued.iter().map(|t| t.token.clone()).collect()
    }

    /// How many token requests arrived, and the scope each asked for.
    pub(crate) fn token_requests(&self) -> (u32, Vec<String>) {
        let grants = self.lock();
        (grants.requests, grants.scopes.clone())
    }

    /// Revokes every token issued so far in lakana, which refuses them from now on.
    pub(crate) fn revoke_tokens(&self) {
        let issued = self.lock().issued.clone();
        for token in issued {
            lakana().revoke_token(&token.key_id).expect("lakana revokes the token");
        }
    }

    /// From now on the client's secret is `secret` (a rotated secret).
    pub(crate) fn rotate_secret(&self, secret: &str) {
        secret.clone_into(&mut self.lock().secret);
    }

    /// Asserts that every token request followed RFC 6749 section 4.4.
    #[track_caller]
    pub(crate) fn assert_no_violation(&self) {
        let violations = self.lock().violations.clone();
        assert!(violations.is_empty(), "token requests broke RFC 6749: {violations:#?}");
    }
}

/// The plugin config for the real catalog, with `tokens` as its token endpoint.
pub(crate) fn lakana_config(tokens: &TokenEndpoint, client_secret: &str) -> Value {
    json!({
        "uri": lakana().uri(),
        "warehouse": ENVIRONMENT,
        "client_id": CLIENT_ID,
        "client_secret": client_secret,
        "token_url": tokens.url(),
        // The shared catalog answers slowly while the machine is busy.
        "timeout_secs": 30,
    })
}

/// A loopback catalog whose token endpoint knows [`CLIENT_ID`] with `client_secret`,
/// issuing tokens that expire after `expires_in` seconds, and vending what tests set.
/// The static token of floe-iceberg's tests is a random value no test sends.
pub(crate) async fn start(client_secret: &str, expires_in: Option<u64>) -> TestCatalog {
    let server = TestCatalog::start(&format!("unused-{}", std::process::id())).await;
    server.add_oauth_client(CLIENT_ID, client_secret, expires_in);
    server
}

/// The plugin config for the loopback catalog `server`, authenticating with
/// `client_secret` at its own token endpoint.
pub(crate) fn config(server: &TestCatalog, client_secret: &str) -> Value {
    json!({
        "uri": server.uri(),
        "warehouse": WAREHOUSE,
        "client_id": CLIENT_ID,
        "client_secret": client_secret,
        "timeout_secs": 5,
    })
}

/// The loopback catalog as a router (a hostile peer's normal answers), its token
/// endpoint knowing [`CLIENT_ID`] with `client_secret`.
#[allow(dead_code, reason = "the contract suite's hostile rows use it; this crate's tests do not")]
pub(crate) fn router(client_secret: &str) -> Router {
    TestCatalog::router(&format!("unused-{}", std::process::id()), CLIENT_ID, client_secret)
}
