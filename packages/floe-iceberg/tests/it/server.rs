//! A loopback Iceberg REST catalog for the tests: it keeps namespaces and tables in
//! memory, answers with the protocol's real bodies and error model, and checks every
//! request against the REST `OpenAPI` specification (paths, methods, content type, required
//! fields, bearer token). A request that breaks the specification is answered 400 and
//! recorded as a violation; every test asserts there were none.
//!
//! It also serves what Apache Polaris adds on top: the `OAuth2` client-credentials token
//! endpoint (`oauth.rs`), tokens that expire or are revoked, and storage credentials
//! vended on table loads that send `X-Iceberg-Access-Delegation: vended-credentials`, in
//! `config` and in `storage-credentials` (REST specification 1.7 and later). The real
//! catalog these tests also use (`lakana-server`) vends none, so this is where vending is
//! tested. floe-catalog-polaris and the contract suite include this file with `#[path]`,
//! so every module path here is explicit and the file uses only crates they all have.
//!
//! The server runs on the test's own tokio runtime, so it stops when the test ends;
//! [`TestCatalog::router`] is the same catalog as a router, for a hostile peer to answer
//! the requests it does not spoil with.

#[path = "server/oauth.rs"]
mod oauth;
#[path = "server/routes.rs"]
mod routes;
#[path = "server/validate.rs"]
mod validate;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The prefix the server's `/v1/config` tells clients to use.
pub(crate) const PREFIX: &str = "lake-prefix";
/// The warehouse clients must ask for.
pub(crate) const WAREHOUSE: &str = "lake";
/// The message of an injected failure: it quotes a credential the client never sent (the
/// catalog's own metadata store), which only the sanitizer can remove.
pub(crate) const INJECTED_FAILURE: &str = "injected failure: metadata store postgres://catalog:FLOETEST-store-pw-7Qx2@db:5432/lake is down";
/// The password in [`INJECTED_FAILURE`].
pub(crate) const STORE_PASSWORD: &str = "FLOETEST-store-pw-7Qx2";

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) authorization: Option<String>,
    pub(crate) access_delegation: Option<String>,
    pub(crate) accept: Option<String>,
}

pub(crate) use oauth::OAuthClient;

/// The server's state.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    pub(crate) token: String,
    pub(crate) clients: BTreeMap<String, OAuthClient>,
    pub(crate) issued: Vec<String>,
    pub(crate) revoked: usize,
    pub(crate) scopes: Vec<String>,
    pub(crate) token_requests: u32,
    pub(crate) vended: BTreeMap<String, String>,
    pub(crate) vended_storage: Vec<Value>,
    pub(crate) namespaces: BTreeMap<Vec<String>, BTreeMap<String, String>>,
    pub(crate) tables: BTreeMap<(Vec<String>, String), Value>,
    pub(crate) violations: Vec<String>,
    pub(crate) fail_next: Option<u16>,
    pub(crate) seen: Vec<Seen>,
    pub(crate) created: u32,
}

type Shared = Arc<Mutex<Catalog>>;

/// A running loopback catalog.
#[derive(Debug)]
pub(crate) struct TestCatalog {
    addr: SocketAddr,
    state: Shared,
}

impl TestCatalog {
    /// Starts a catalog that accepts `token`.
    pub(crate) async fn start(token: &str) -> Self {
        let state: Shared =
            Arc::new(Mutex::new(Catalog { token: token.to_owned(), ..Catalog::default() }));
        let app = app(Arc::clone(&state));
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binding 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serving the loopback catalog");
        });
        Self { addr, state }
    }

    /// A catalog that accepts `token` and lets `client_id` get tokens with `secret`, as a
    /// router serving every path under `/v1/`.
    pub(crate) fn router(token: &str, client_id: &str, secret: &str) -> Router {
        let mut catalog = Catalog { token: token.to_owned(), ..Catalog::default() };
        let client = OAuthClient { secret: secret.to_owned(), expires_in: Some(3600) };
        catalog.clients.insert(client_id.to_owned(), client);
        app(Arc::new(Mutex::new(catalog)))
    }

    /// The catalog's base URI.
    pub(crate) fn uri(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The next request (after `/v1/config`) is answered with `status`.
    pub(crate) fn fail_next(&self, status: u16) {
        self.lock().fail_next = Some(status);
    }

    /// The requests seen so far.
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// Lets `client_id` get tokens with `secret` at `POST /v1/oauth/tokens`, valid for
    /// `expires_in` seconds (as the answer says; the server itself accepts them until
    /// [`revoke_tokens`](Self::revoke_tokens)).
    pub(crate) fn add_oauth_client(&self, client_id: &str, secret: &str, expires_in: Option<u64>) {
        let client = OAuthClient { secret: secret.to_owned(), expires_in };
        self.lock().clients.insert(client_id.to_owned(), client);
    }

    /// Every token issued so far stops being accepted; later ones are.
    pub(crate) fn revoke_tokens(&self) {
        let mut catalog = self.lock();
        catalog.revoked = catalog.issued.len();
    }

    /// The tokens issued so far.
    pub(crate) fn issued_tokens(&self) -> Vec<String> {
        self.lock().issued.clone()
    }

    /// How many token requests arrived, and the scope each asked for.
    pub(crate) fn token_requests(&self) -> (u32, Vec<String>) {
        let catalog = self.lock();
        (catalog.token_requests, catalog.scopes.clone())
    }

    /// Table loads that ask for vended credentials get `config` (the storage credentials).
    pub(crate) fn vend(&self, config: &[(&str, &str)]) {
        let vended = config.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        self.lock().vended = vended;
    }

    /// Table loads that ask for vended credentials get `storage-credentials`: one
    /// credential per `(prefix, config)`.
    pub(crate) fn vend_storage(&self, credentials: &[(&str, &[(&str, &str)])]) {
        let vended = credentials
            .iter()
            .map(|(prefix, config)| {
                let config: BTreeMap<&str, &str> = config.iter().copied().collect();
                json!({ "prefix": prefix, "config": config })
            })
            .collect();
        self.lock().vended_storage = vended;
    }

    /// Asserts that every request so far followed the specification.
    #[track_caller]
    pub(crate) fn assert_no_violation(&self) {
        let violations = self.lock().violations.clone();
        assert!(violations.is_empty(), "requests broke the Iceberg REST spec: {violations:#?}");
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Catalog> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The catalog's routes: every path under `/v1/` (and anything else, as a violation).
fn app(state: Shared) -> Router {
    Router::new()
        .route("/v1/{*rest}", axum::routing::any(handle))
        .fallback(handle)
        .with_state(state)
}

/// An answer: status and JSON body (`None` for 204).
pub(crate) type Answer = (StatusCode, Option<Value>);

/// The error model body.
pub(crate) fn error(status: StatusCode, kind: &str, message: &str) -> Answer {
    let body = json!({"error": {"message": message, "type": kind, "code": status.as_u16()}});
    (status, Some(body))
}

async fn handle(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let seen = Seen {
        method: method.clone(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        authorization: header("authorization"),
        access_delegation: header("x-iceberg-access-delegation"),
        accept: header("accept"),
    };
    let mut catalog = state.lock().unwrap_or_else(PoisonError::into_inner);
    catalog.seen.push(seen.clone());
    let content_type =
        header("content-type").map(|c| c.split(';').next().unwrap_or_default().trim().to_owned());
    let (status, body) = answer(&mut catalog, &seen, content_type.as_deref(), &body);
    match body {
        Some(body) => {
            (status, [("content-type", "application/json")], body.to_string()).into_response()
        }
        None => status.into_response(),
    }
}

fn answer(catalog: &mut Catalog, seen: &Seen, content_type: Option<&str>, body: &[u8]) -> Answer {
    if seen.accept.as_deref() != Some("application/json") {
        catalog
            .violations
            .push(format!("{} {}: no Accept: application/json", seen.method, seen.path));
    }
    let segments: Vec<String> =
        seen.path.split('/').skip(1).map(validate::percent_decode).collect();
    if segments == ["v1", "oauth", "tokens"] {
        return oauth::token(catalog, seen, content_type, body);
    }
    if segments == ["v1", "config"] {
        return routes::config(catalog, seen);
    }
    if let Some(delegation) = &seen.access_delegation {
        let known = delegation
            .split(',')
            .all(|mode| matches!(mode.trim(), "vended-credentials" | "remote-signing"));
        if !known {
            return violation(catalog, &format!("X-Iceberg-Access-Delegation {delegation:?}"));
        }
    }
    let expected = format!("Bearer {}", catalog.token);
    let issued = seen
        .authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .is_some_and(|token| catalog.issued[catalog.revoked..].iter().any(|t| t == token));
    if seen.authorization.as_deref() != Some(expected.as_str()) && !issued {
        // Echo the credential like a careless server would: spans must still not show it.
        let sent = seen.authorization.clone().unwrap_or_default();
        return error(
            StatusCode::UNAUTHORIZED,
            "NotAuthorizedException",
            &format!("invalid credentials: Authorization: {sent}"),
        );
    }
    if let Some(status) = catalog.fail_next.take() {
        let status = StatusCode::from_u16(status).expect("a valid injected status");
        return error(status, "InternalServerError", INJECTED_FAILURE);
    }
    if body.is_empty() == (seen.method == Method::POST) {
        catalog.violations.push(format!("{} {}: a body iff POST", seen.method, seen.path));
    }
    if seen.method == Method::POST && content_type != Some("application/json") {
        catalog
            .violations
            .push(format!("{} {}: content type {content_type:?}", seen.method, seen.path));
    }
    let json: Value = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(body) {
            Ok(json) => json,
            Err(e) => return violation(catalog, &format!("body is not JSON: {e}")),
        }
    };
    routes::route(catalog, seen, &segments, &json)
}

/// Records a violation and answers 400.
pub(crate) fn violation(catalog: &mut Catalog, what: &str) -> Answer {
    catalog.violations.push(what.to_owned());
    error(StatusCode::BAD_REQUEST, "BadRequestException", what)
}
