//! A loopback server that speaks the Infisical REST API a machine identity uses:
//! Universal Auth login and token renewal, `/api/v3/secrets/raw` get, create, update,
//! delete and list scoped by `workspaceId`, `environment` and `secretPath`, `/api/status`,
//! Infisical's error bodies (`statusCode`, `message`, `error`), server-side token expiry
//! (401), rate limiting (429 with `Retry-After`) and, on demand, a change answered with
//! another secret's name (a malformed answer) or reads refused (403) quoting a service token
//! the client never sent. Shared by the plugin's tests and its
//! contract row, so it imports nothing from the plugin.
#![expect(clippy::unwrap_used, reason = "test peer: a poisoned lock must fail the test")]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use floe_otel_testkit::http::{LoopbackServer, RecordedRequest};
use serde_json::{Value, json};

/// The project the identity may use.
pub(crate) const PROJECT: &str = "6f1c2a-project";
/// The environment slug.
pub(crate) const ENVIRONMENT: &str = "dev";
/// The machine identity's client id.
pub(crate) const CLIENT_ID: &str = "floe-machine-identity";

#[derive(Default)]
struct Store {
    client_secret: String,
    /// Issued tokens: `true` while valid.
    tokens: BTreeMap<String, bool>,
    issued: u32,
    expires_in: u64,
    max_ttl: u64,
    /// `(secretPath, name)` to value.
    secrets: BTreeMap<(String, String), String>,
    rate_limited: u32,
    logins: u32,
    renewals: u32,
    /// A refused login quotes the credentials it got (as a misconfigured gateway does).
    echo_refused_secrets: bool,
    /// A create, update or delete answers with another secret than the one it changed.
    misname_changes: bool,
    /// Reads are refused (403) naming this legacy service token, which the project's
    /// reads go through (someone else's credential).
    refuse_reads_quoting: Option<String>,
    /// The next reads of a missing secret wait for each other, so that as many writers
    /// all find it missing and race to create it.
    racing_reads: Option<(Arc<tokio::sync::Barrier>, usize)>,
}

type Shared = Arc<Mutex<Store>>;

/// The running Infisical instance.
pub(crate) struct InfisicalApi {
    server: LoopbackServer,
    store: Shared,
}

fn error(code: StatusCode, name: &str, message: &str) -> Response {
    let body = json!({ "reqId": "req-test", "statusCode": code.as_u16(), "message": message, "error": name });
    (code, axum::Json(body)).into_response()
}

/// Rate limiting first (as the API gateway does it), then the bearer token.
fn admit(store: &Shared, headers: &HeaderMap) -> Option<Response> {
    let mut store = store.lock().unwrap();
    if store.rate_limited > 0 {
        store.rate_limited -= 1;
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "RateLimitExceeded",
            "Rate limit exceeded. Please try again in 0 seconds",
        );
        response.headers_mut().insert("retry-after", "0".parse().unwrap());
        return Some(response);
    }
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token.and_then(|t| store.tokens.get(t)) {
        Some(true) => None,
        Some(false) => Some(error(StatusCode::UNAUTHORIZED, "TokenError", "Token expired")),
        None => Some(error(StatusCode::UNAUTHORIZED, "UnauthorizedError", "Invalid token")),
    }
}

fn issue(store: &mut Store) -> Value {
    store.issued += 1;
    let token = format!("st.identity-token-{}", store.issued);
    store.tokens.insert(token.clone(), true);
    json!({
        "accessToken": token, "expiresIn": store.expires_in,
        "accessTokenMaxTTL": store.max_ttl, "tokenType": "Bearer",
    })
}

async fn login(State(store): State<Shared>, body: Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or_default();
    let mut store = store.lock().unwrap();
    if store.rate_limited > 0 {
        store.rate_limited -= 1;
        let mut response =
            error(StatusCode::TOO_MANY_REQUESTS, "RateLimitExceeded", "Rate limit exceeded");
        response.headers_mut().insert("retry-after", "0".parse().unwrap());
        return response;
    }
    if body["clientId"] != CLIENT_ID || body["clientSecret"] != store.client_secret.as_str() {
        let message = if store.echo_refused_secrets {
            format!(
                "identity {} presented {}, which matches no universal auth credential",
                body["clientId"], body["clientSecret"]
            )
        } else {
            "Invalid credentials".to_owned()
        };
        return error(StatusCode::UNAUTHORIZED, "UnauthorizedError", &message);
    }
    store.logins += 1;
    axum::Json(issue(&mut store)).into_response()
}

async fn renew(State(store): State<Shared>, body: Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or_default();
    let mut store = store.lock().unwrap();
    let token = body["accessToken"].as_str().unwrap_or_default().to_owned();
    if store.tokens.get(&token) != Some(&true) {
        return error(
            StatusCode::UNAUTHORIZED,
            "UnauthorizedError",
            "Failed to renew access token",
        );
    }
    store.renewals += 1;
    let (expires_in, max_ttl) = (store.expires_in, store.max_ttl);
    axum::Json(json!({
        "accessToken": token, "expiresIn": expires_in,
        "accessTokenMaxTTL": max_ttl, "tokenType": "Bearer",
    }))
    .into_response()
}

/// Checks the scope (query for reads, body for writes) and returns the folder path.
fn scope(fields: &Value) -> Result<String, &'static str> {
    if fields["workspaceId"] != PROJECT {
        return Err("Project not found");
    }
    if fields["environment"] != ENVIRONMENT {
        return Err("Environment not found");
    }
    Ok(fields["secretPath"].as_str().unwrap_or("/").to_owned())
}

fn item(path: &str, name: &str, value: &str) -> Value {
    json!({
        "id": format!("{path}:{name}"), "workspace": PROJECT, "environment": ENVIRONMENT,
        "version": 1, "type": "shared", "secretKey": name, "secretValue": value,
        "secretComment": "", "secretPath": path,
    })
}

async fn list(
    State(store): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = admit(&store, &headers) {
        return refused;
    }
    let path = match scope(&json!(query)) {
        Ok(path) => path,
        Err(missing) => return error(StatusCode::NOT_FOUND, "NotFound", missing),
    };
    let store = store.lock().unwrap();
    let secrets: Vec<Value> = store
        .secrets
        .iter()
        .filter(|((p, _), _)| *p == path)
        .map(|((p, n), v)| item(p, n, v))
        .collect();
    axum::Json(json!({ "secrets": secrets, "imports": [] })).into_response()
}

async fn read(
    State(store): State<Shared>,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = admit(&store, &headers) {
        return refused;
    }
    let path = match scope(&json!(query)) {
        Ok(path) => path,
        Err(missing) => return error(StatusCode::NOT_FOUND, "NotFound", missing),
    };
    let quoted = store.lock().unwrap().refuse_reads_quoting.clone();
    if let Some(service_token) = quoted {
        let message = format!(
            "You are not allowed to read on secrets: reads of this project go through the service token {service_token}, which lacks the read scope"
        );
        return error(StatusCode::FORBIDDEN, "PermissionDenied", &message);
    }
    let gate = {
        let mut store = store.lock().unwrap();
        match &mut store.racing_reads {
            Some((barrier, left)) if *left > 0 => {
                *left -= 1;
                Some(Arc::clone(barrier))
            }
            _ => None,
        }
    };
    if let Some(barrier) = gate {
        // Bounded: a test that sends fewer reads than it announced fails, never hangs.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), barrier.wait()).await;
    }
    let store = store.lock().unwrap();
    match store.secrets.get(&(path.clone(), name.clone())) {
        Some(value) => axum::Json(json!({ "secret": item(&path, &name, value) })).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("Secret with name '{name}' not found"),
        ),
    }
}

/// The answer to a change of `path`/`name` (misnamed when the test asked for it).
fn changed(store: &Store, path: &str, name: &str, value: &str) -> Response {
    let named = if store.misname_changes { format!("{name}_OTHER") } else { name.to_owned() };
    axum::Json(json!({ "secret": item(path, &named, value) })).into_response()
}

fn write(store: &Shared, name: &str, headers: &HeaderMap, body: &Bytes, create: bool) -> Response {
    if let Some(refused) = admit(store, headers) {
        return refused;
    }
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return error(StatusCode::BAD_REQUEST, "BadRequest", "Body must be JSON");
    };
    let path = match scope(&body) {
        Ok(path) => path,
        Err(missing) => return error(StatusCode::NOT_FOUND, "NotFound", missing),
    };
    let Some(value) = body["secretValue"].as_str() else {
        return error(StatusCode::BAD_REQUEST, "BadRequest", "secretValue: Required");
    };
    let mut store = store.lock().unwrap();
    let key = (path.clone(), name.to_owned());
    match (create, store.secrets.contains_key(&key)) {
        (true, true) => {
            return error(StatusCode::BAD_REQUEST, "BadRequest", "Secret already exist");
        }
        (false, false) => {
            return error(
                StatusCode::NOT_FOUND,
                "NotFound",
                &format!("Secret named '{name}' not found"),
            );
        }
        _ => {}
    }
    store.secrets.insert(key, value.to_owned());
    changed(&store, &path, name, value)
}

async fn create(
    State(store): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    write(&store, &name, &headers, &body, true)
}

async fn update(
    State(store): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    write(&store, &name, &headers, &body, false)
}

async fn delete(
    State(store): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = admit(&store, &headers) {
        return refused;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or_default();
    let path = match scope(&body) {
        Ok(path) => path,
        Err(missing) => return error(StatusCode::NOT_FOUND, "NotFound", missing),
    };
    let mut store = store.lock().unwrap();
    match store.secrets.remove(&(path.clone(), name.clone())) {
        Some(value) => changed(&store, &path, &name, &value),
        None => {
            error(StatusCode::NOT_FOUND, "NotFound", &format!("Secret named '{name}' not found"))
        }
    }
}

async fn status() -> Response {
    axum::Json(
        json!({ "date": "2026-01-01T00:00:00.000Z", "message": "Ok", "emailConfigured": false }),
    )
    .into_response()
}

fn router(store: &Shared) -> Router {
    Router::new()
        .route("/api/v1/auth/universal-auth/login", post(login))
        .route("/api/v1/auth/token/renew", post(renew))
        .route("/api/v3/secrets/raw", get(list))
        .route("/api/v3/secrets/raw/{name}", get(read).post(create).patch(update).delete(delete))
        .route("/api/status", get(status))
        .with_state(Arc::clone(store))
}

impl InfisicalApi {
    /// Starts the instance; the identity [`CLIENT_ID`] logs in with `client_secret`, and
    /// tokens live `expires_in` seconds (renewable up to a day).
    pub(crate) fn start(client_secret: &str, expires_in: u64) -> Self {
        let store: Shared = Arc::new(Mutex::new(Store {
            client_secret: client_secret.to_owned(),
            expires_in,
            max_ttl: 86_400,
            ..Store::default()
        }));
        Self { server: LoopbackServer::start(router(&store)), store }
    }

    /// The routes of an instance whose identity logs in with `client_secret` (tokens
    /// live an hour), for a server the test runs itself (the hostile peer's normal half).
    #[allow(
        dead_code,
        reason = "the hostile rows in contract-tests use it; this crate's tests do not"
    )]
    pub(crate) fn router_for(client_secret: &str) -> Router {
        router(&Arc::new(Mutex::new(Store {
            client_secret: client_secret.to_owned(),
            expires_in: 3600,
            max_ttl: 86_400,
            ..Store::default()
        })))
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn url(&self) -> String {
        self.server.url("")
    }

    /// A plugin config for this instance with `client_secret`.
    pub(crate) fn config(&self, client_secret: &str) -> Value {
        json!({
            "site_url": self.url(), "client_id": CLIENT_ID, "client_secret": client_secret,
            "project_id": PROJECT, "environment": ENVIRONMENT, "timeout_secs": 5,
            "managed_secret_name": "floe-infisical-sync",
        })
    }

    /// Stores a secret in folder `path`.
    pub(crate) fn insert(&self, path: &str, name: &str, value: &str) {
        self.store
            .lock()
            .unwrap()
            .secrets
            .insert((path.to_owned(), name.to_owned()), value.to_owned());
    }

    /// The stored value of `path`/`name`.
    pub(crate) fn value(&self, path: &str, name: &str) -> Option<String> {
        self.store.lock().unwrap().secrets.get(&(path.to_owned(), name.to_owned())).cloned()
    }

    /// Every issued token expires now (the server answers 401 "Token expired").
    pub(crate) fn expire_tokens(&self) {
        for valid in self.store.lock().unwrap().tokens.values_mut() {
            *valid = false;
        }
    }

    /// The next `count` calls are answered 429 with `Retry-After: 0`.
    pub(crate) fn rate_limit(&self, count: u32) {
        self.store.lock().unwrap().rate_limited = count;
    }

    /// How many logins and renewals succeeded.
    pub(crate) fn auth_counts(&self) -> (u32, u32) {
        let store = self.store.lock().unwrap();
        (store.logins, store.renewals)
    }

    /// From now on, a refused login quotes the client id and secret it got.
    pub(crate) fn echo_refused_secrets(&self) {
        self.store.lock().unwrap().echo_refused_secrets = true;
    }

    /// From now on, reading a secret is refused 403 `PermissionDenied` with a message
    /// quoting `service_token`, a credential the client never sent.
    pub(crate) fn refuse_reads_quoting(&self, service_token: &str) {
        self.store.lock().unwrap().refuse_reads_quoting = Some(service_token.to_owned());
    }

    /// From now on, creates, updates and deletes answer with another secret's name.
    pub(crate) fn misname_changes(&self) {
        self.store.lock().unwrap().misname_changes = true;
    }

    /// The next `writers` reads of a secret wait until all of them have arrived, so that
    /// `writers` concurrent writes all find it missing and race to create it.
    pub(crate) fn race_creates(&self, writers: usize) {
        let barrier = Arc::new(tokio::sync::Barrier::new(writers));
        self.store.lock().unwrap().racing_reads = Some((barrier, writers));
    }

    /// Every request received.
    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }
}
