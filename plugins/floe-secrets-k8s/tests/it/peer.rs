//! A loopback server that speaks the Kubernetes Secrets API (core/v1): the paths and verbs
//! a client uses, base64 `data`, merge patches, bearer-token authentication, `Status`
//! bodies for 400, 401, 403, 404, 409, 415 and 422, `limit`/`continue` paging,
//! `labelSelector`, scripted 429s, a misrouting proxy that answers the discovery
//! document everywhere, and an authenticating proxy whose 401 quotes the token it forwarded. It keeps every answer whole, so `tests/it/schemas.rs` judges every
//! body it receives and sends against the Kubernetes schemas. Shared by the plugin's tests
//! and its contract row, so it imports nothing from the plugin.
#![expect(clippy::unwrap_used, reason = "test peer: a poisoned lock must fail the test")]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use floe_otel_testkit::http::{LoopbackServer, RecordedAnswer, RecordedRequest};
use serde_json::{Value, json};

/// The namespace the peer serves.
pub(crate) const NAMESPACE: &str = "floe-test";
/// A namespace the peer's service account may not touch (403).
pub(crate) const FORBIDDEN_NAMESPACE: &str = "kube-system";

#[derive(Default)]
struct Store {
    secrets: BTreeMap<String, Value>,
    version: u64,
    throttle: u32,
    page_size: Option<usize>,
    conflict_on_create: bool,
    /// 401 answers quote the token they refused (as a misconfigured authenticating proxy
    /// or webhook does).
    echo_refused_tokens: bool,
    /// An authenticating proxy in front of the server swaps an accepted client token for
    /// this one, which the server refuses: the 401 quotes it as the proxy forwarded it.
    proxy_token: Option<String>,
    /// Every admitted request is answered 200 with the discovery document of `/api`, as
    /// a reverse proxy that drops the path does.
    discovery_everywhere: bool,
}

type Shared = Arc<(String, Mutex<Store>)>;

/// The running API server.
pub(crate) struct KubeApi {
    server: LoopbackServer,
    store: Shared,
    token: String,
}

fn status(code: StatusCode, reason: &str, message: &str) -> Response {
    let body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": reason, "code": code.as_u16(),
    });
    (code, axum::Json(body)).into_response()
}

fn not_found(name: &str) -> Response {
    status(StatusCode::NOT_FOUND, "NotFound", &format!("secrets \"{name}\" not found"))
}

/// Authentication, authorization and throttling, as the API server does them first.
fn admit(shared: &Shared, headers: &HeaderMap, namespace: &str, verb: &str) -> Option<Response> {
    let expected = format!("Bearer {}", shared.0);
    let presented = headers.get("authorization").and_then(|v| v.to_str().ok());
    if presented != Some(expected.as_str()) {
        let message = match presented.and_then(|p| p.strip_prefix("Bearer ")) {
            Some(token) if shared.1.lock().unwrap().echo_refused_tokens => {
                format!("the service account presented \"{token}\", which no authenticator accepts")
            }
            _ => "Unauthorized".to_owned(),
        };
        return Some(status(StatusCode::UNAUTHORIZED, "Unauthorized", &message));
    }
    let proxy_token = shared.1.lock().unwrap().proxy_token.clone();
    if let Some(forwarded) = proxy_token {
        let message = format!(
            "the authenticating proxy forwarded \"Authorization: Bearer {forwarded}\", which no authenticator accepts"
        );
        return Some(status(StatusCode::UNAUTHORIZED, "Unauthorized", &message));
    }
    if namespace != NAMESPACE {
        return Some(status(
            StatusCode::FORBIDDEN,
            "Forbidden",
            &format!(
                "secrets is forbidden: User \"system:serviceaccount:{NAMESPACE}:floe\" cannot {verb} resource \"secrets\" in API group \"\" in the namespace \"{namespace}\""
            ),
        ));
    }
    let mut store = shared.1.lock().unwrap();
    if store.throttle > 0 {
        store.throttle -= 1;
        let mut response = status(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "too many requests, please try again later",
        );
        response.headers_mut().insert("retry-after", "0".parse().unwrap());
        return Some(response);
    }
    if store.discovery_everywhere {
        let discovery = json!({
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{ "clientCIDR": "0.0.0.0/0", "serverAddress": "10.96.0.1:443" }],
        });
        return Some(axum::Json(discovery).into_response());
    }
    None
}

/// Whether `data` is absent, or a map of base64 strings.
fn valid_data(data: &Value) -> bool {
    match data {
        Value::Null => true,
        Value::Object(map) => {
            map.values().all(|v| v.as_str().is_some_and(|s| STANDARD.decode(s).is_ok()))
        }
        _ => false,
    }
}

async fn list(
    State(shared): State<Shared>,
    Path(namespace): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = admit(&shared, &headers, &namespace, "list") {
        return refused;
    }
    let store = shared.1.lock().unwrap();
    let selector = query.get("labelSelector").and_then(|s| s.split_once('='));
    let matching: Vec<&Value> = store
        .secrets
        .values()
        .filter(|s| selector.is_none_or(|(k, v)| s["metadata"]["labels"][k].as_str() == Some(v)))
        .collect();
    let start: usize = query.get("continue").and_then(|c| c.parse().ok()).unwrap_or(0);
    let limit = query
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .map_or(usize::MAX, |l| l.min(store.page_size.unwrap_or(usize::MAX)));
    let page: Vec<&Value> = matching.iter().skip(start).take(limit).copied().collect();
    let next = start + page.len();
    let mut metadata = json!({ "resourceVersion": store.version.to_string() });
    if next < matching.len() {
        metadata["continue"] = json!(next.to_string());
    }
    axum::Json(
        json!({ "kind": "SecretList", "apiVersion": "v1", "metadata": metadata, "items": page }),
    )
    .into_response()
}

async fn create(
    State(shared): State<Shared>,
    Path(namespace): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = admit(&shared, &headers, &namespace, "create") {
        return refused;
    }
    let Ok(mut object) = serde_json::from_slice::<Value>(&body) else {
        return status(StatusCode::BAD_REQUEST, "BadRequest", "the body is not JSON");
    };
    let name = object["metadata"]["name"].as_str().unwrap_or_default().to_owned();
    if object["kind"] != "Secret" || name.is_empty() || !valid_data(&object["data"]) {
        return status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid",
            &format!("Secret \"{name}\" is invalid: data: Invalid value"),
        );
    }
    let mut store = shared.1.lock().unwrap();
    if std::mem::take(&mut store.conflict_on_create) {
        // Another writer created it first.
        store.secrets.insert(
            name.clone(),
            json!({ "kind": "Secret", "metadata": { "name": name }, "data": {} }),
        );
    }
    if store.secrets.contains_key(&name) {
        return status(
            StatusCode::CONFLICT,
            "AlreadyExists",
            &format!("secrets \"{name}\" already exists"),
        );
    }
    store.version += 1;
    object["metadata"]["namespace"] = json!(namespace);
    object["metadata"]["resourceVersion"] = json!(store.version.to_string());
    store.secrets.insert(name, object.clone());
    (StatusCode::CREATED, axum::Json(object)).into_response()
}

async fn read(
    State(shared): State<Shared>,
    Path((namespace, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = admit(&shared, &headers, &namespace, "get") {
        return refused;
    }
    let store = shared.1.lock().unwrap();
    match store.secrets.get(&name) {
        Some(object) => axum::Json(object.clone()).into_response(),
        None => not_found(&name),
    }
}

async fn patch(
    State(shared): State<Shared>,
    Path((namespace, name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = admit(&shared, &headers, &namespace, "patch") {
        return refused;
    }
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type != "application/merge-patch+json" {
        return status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            &format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml; got {content_type}"
            ),
        );
    }
    let Ok(change) = serde_json::from_slice::<Value>(&body) else {
        return status(StatusCode::BAD_REQUEST, "BadRequest", "the body is not JSON");
    };
    let mut store = shared.1.lock().unwrap();
    let Some(stored) = store.secrets.get(&name) else {
        return not_found(&name);
    };
    let mut object = stored.clone();
    merge_patch(&mut object, &change);
    // The API server decodes the patched object as a Secret: `data` must stay a map of
    // base64 strings (a patch setting `data` to a string is refused, not ignored).
    if object["kind"] != "Secret" || !valid_data(&object["data"]) {
        return status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid",
            &format!(
                "Secret \"{name}\" is invalid: patch: Invalid value: the patched object is not a Secret with base64 data"
            ),
        );
    }
    store.version += 1;
    object["metadata"]["resourceVersion"] = json!(store.version.to_string());
    store.secrets.insert(name, object.clone());
    axum::Json(object).into_response()
}

/// Applies a JSON merge patch (RFC 7396) to `target`.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Some(members) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    let object = target.as_object_mut().unwrap();
    for (key, value) in members {
        if value.is_null() {
            object.remove(key);
        } else {
            merge_patch(object.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

async fn delete(
    State(shared): State<Shared>,
    Path((namespace, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = admit(&shared, &headers, &namespace, "delete") {
        return refused;
    }
    let mut store = shared.1.lock().unwrap();
    match store.secrets.remove(&name) {
        Some(_) => axum::Json(json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": { "name": name, "kind": "secrets" },
        }))
        .into_response(),
        None => not_found(&name),
    }
}

impl KubeApi {
    /// Starts the server; it accepts `token` as its only bearer token.
    pub(crate) fn start(token: &str) -> Self {
        let store: Shared = Arc::new((token.to_owned(), Mutex::new(Store::default())));
        let router = Router::new()
            .route("/api/v1/namespaces/{namespace}/secrets", get(list).post(create))
            .route(
                "/api/v1/namespaces/{namespace}/secrets/{name}",
                get(read).patch(patch).delete(delete),
            )
            .with_state(Arc::clone(&store));
        Self {
            server: LoopbackServer::start_keeping_answers(router),
            store,
            token: token.to_owned(),
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn url(&self) -> String {
        self.server.url("")
    }

    /// The token the server accepts.
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// A plugin config for this server and `namespace`, authenticating with `token`.
    pub(crate) fn config(&self, namespace: &str, token: &str) -> Value {
        json!({ "api_server": self.url(), "namespace": namespace, "token": token, "timeout_secs": 5 })
    }

    /// Stores a Secret with plain-text values (base64-encoded as the API stores them).
    pub(crate) fn insert(&self, name: &str, data: &[(&str, &str)]) {
        self.insert_labelled(name, data, &[]);
    }

    /// Stores a Secret with labels.
    pub(crate) fn insert_labelled(
        &self,
        name: &str,
        data: &[(&str, &str)],
        labels: &[(&str, &str)],
    ) {
        let data: serde_json::Map<String, Value> =
            data.iter().map(|(k, v)| ((*k).to_owned(), json!(STANDARD.encode(v)))).collect();
        self.insert_raw(name, &Value::Object(data), labels);
    }

    /// Stores a Secret whose `data` is given as the API holds it (base64 values).
    pub(crate) fn insert_raw(&self, name: &str, data: &Value, labels: &[(&str, &str)]) {
        let labels: serde_json::Map<String, Value> =
            labels.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
        let mut store = self.store.1.lock().unwrap();
        store.version += 1;
        let object = json!({
            "kind": "Secret", "apiVersion": "v1", "type": "Opaque",
            "metadata": { "name": name, "namespace": NAMESPACE, "labels": labels,
                          "resourceVersion": store.version.to_string() },
            "data": data,
        });
        store.secrets.insert(name.to_owned(), object);
    }

    /// The stored Secret `name`, as the API would return it.
    pub(crate) fn stored(&self, name: &str) -> Option<Value> {
        self.store.1.lock().unwrap().secrets.get(name).cloned()
    }

    /// The plain-text value of `name`'s `key`, decoded from the stored base64.
    pub(crate) fn stored_value(&self, name: &str, key: &str) -> Option<String> {
        let object = self.stored(name)?;
        let encoded = object["data"][key].as_str()?.to_owned();
        Some(String::from_utf8(STANDARD.decode(encoded).unwrap()).unwrap())
    }

    /// The next `count` requests are answered 429 with `Retry-After: 0`.
    pub(crate) fn throttle(&self, count: u32) {
        self.store.1.lock().unwrap().throttle = count;
    }

    /// Lists return at most `size` items per page, whatever the client asks.
    pub(crate) fn page_size(&self, size: usize) {
        self.store.1.lock().unwrap().page_size = Some(size);
    }

    /// The next create finds that another writer created the Secret first (409).
    pub(crate) fn conflict_on_next_create(&self) {
        self.store.1.lock().unwrap().conflict_on_create = true;
    }

    /// From now on, a refused token is quoted in the 401's `Status` message.
    pub(crate) fn echo_refused_tokens(&self) {
        self.store.1.lock().unwrap().echo_refused_tokens = true;
    }

    /// From now on, a request with the accepted token is refused 401 as if an
    /// authenticating proxy had forwarded `token` instead, quoted in the `Status` message:
    /// a credential the client never sent.
    pub(crate) fn refuse_quoting_proxy_token(&self, token: &str) {
        self.store.1.lock().unwrap().proxy_token = Some(token.to_owned());
    }

    /// From now on, every admitted request is answered 200 with the `/api` discovery
    /// document (`kind: APIVersions`): the API server address points at a proxy that
    /// drops the path.
    pub(crate) fn answer_discovery_everywhere(&self) {
        self.store.1.lock().unwrap().discovery_everywhere = true;
    }

    /// Every request received.
    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    /// Every answer sent, whole (`tests/it/schemas.rs` judges their bodies).
    pub(crate) fn answers(&self) -> Vec<RecordedAnswer> {
        self.server.answers()
    }
}
