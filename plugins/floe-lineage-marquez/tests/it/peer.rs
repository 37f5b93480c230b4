//! A loopback Marquez: `POST /api/v1/lineage` validates each event against the OpenLineage
//! JSON schema (plus what spec 2-0-2 adds, field by field) and answers 201 as Marquez
//! does; `GET /api/v1/namespaces` lists the namespaces of the jobs it has seen. With a
//! token, both require `Authorization: Bearer <token>` (401 otherwise).
//!
//! Self-contained (only crates the contract suite also has), so the contract row includes
//! it with `#[path]`.
#![expect(clippy::unwrap_used, reason = "test peer: a broken fixture should fail loudly")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use floe_otel_testkit::http::LoopbackServer;
use serde_json::{Value, json};

static SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(include_str!("../data/OpenLineage.json")).unwrap();
    jsonschema::options().should_validate_formats(true).build(&schema).unwrap()
});

/// A running loopback Marquez.
pub(crate) struct Marquez {
    pub(crate) server: LoopbackServer,
    events: Arc<Mutex<Vec<Value>>>,
}

impl Marquez {
    /// A Marquez requiring `token` (when given) that answers the statuses of `script` to
    /// the first posts, then validates and stores events.
    pub(crate) fn start(token: Option<&str>, script: &'static [u16]) -> Self {
        let events = Arc::new(Mutex::new(Vec::new()));
        let expected = token.map(|t| format!("Bearer {t}"));
        let authorized = move |headers: &HeaderMap| {
            expected.as_deref().is_none_or(|e| {
                headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(e)
            })
        };
        let posts = Arc::new(AtomicUsize::new(0));
        let (stored, listed) = (Arc::clone(&events), Arc::clone(&events));
        let (auth_post, auth_get) = (authorized.clone(), authorized);
        let router = Router::new()
            .route(
                "/api/v1/lineage",
                post(move |headers: HeaderMap, body: Bytes| {
                    let n = posts.fetch_add(1, Ordering::SeqCst);
                    let stored = Arc::clone(&stored);
                    let allowed = auth_post(&headers);
                    async move {
                        if let Some(status) = script.get(n).copied() {
                            return StatusCode::from_u16(status).unwrap().into_response();
                        }
                        if !allowed {
                            return (StatusCode::UNAUTHORIZED, "unauthorized").into_response();
                        }
                        let Ok(event) = serde_json::from_slice::<Value>(&body) else {
                            return (StatusCode::BAD_REQUEST, "not JSON").into_response();
                        };
                        if let Err(problem) = check(&event) {
                            return (StatusCode::UNPROCESSABLE_ENTITY, problem).into_response();
                        }
                        stored.lock().unwrap().push(event);
                        StatusCode::CREATED.into_response()
                    }
                }),
            )
            .route(
                "/api/v1/namespaces",
                get(move |headers: HeaderMap| {
                    let listed = Arc::clone(&listed);
                    let allowed = auth_get(&headers);
                    async move { namespaces(allowed, &listed.lock().unwrap()) }
                }),
            );
        Self { server: LoopbackServer::start(router), events }
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn url(&self) -> String {
        self.server.url("")
    }

    /// The events accepted so far.
    pub(crate) fn events(&self) -> Vec<Value> {
        self.events.lock().unwrap().clone()
    }
}

fn namespaces(allowed: bool, events: &[Value]) -> Response {
    if !allowed {
        return (StatusCode::UNAUTHORIZED, "unauthorized").into_response();
    }
    let mut names: Vec<&str> =
        events.iter().filter_map(|e| e["job"]["namespace"].as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let list: Vec<Value> =
        names.iter().map(|n| json!({ "name": n, "ownerName": "floe" })).collect();
    Json(json!({ "namespaces": list })).into_response()
}

/// Checks an event against the vendored OpenLineage schema, and what spec 2-0-2 requires
/// beyond it (`schemaURL` naming the `RunEvent` definition, 2-0-2's event types).
///
/// # Errors
/// Every problem found, joined.
pub(crate) fn check(event: &Value) -> Result<(), String> {
    let mut problems: Vec<String> =
        SCHEMA.iter_errors(event).map(|e| format!("{}: {e}", e.instance_path())).collect();
    let schema_url = event["schemaURL"].as_str().unwrap_or_default();
    if !schema_url.starts_with("https://openlineage.io/spec/") || !schema_url.ends_with("/RunEvent")
    {
        problems.push(format!("schemaURL {schema_url:?} does not name a RunEvent definition"));
    }
    let types = ["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"];
    if !event["eventType"].as_str().is_some_and(|t| types.contains(&t)) {
        problems.push(format!("eventType {} is not a 2-0-2 event type", event["eventType"]));
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}
