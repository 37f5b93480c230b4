//! A loopback Marquez checked against OpenLineage spec 2-0-2 (a spec-checked stand-in,
//! not a recording): `POST /api/v1/lineage` validates each event against the definition
//! its `schemaURL` names in the OpenLineage 2-0-2 JSON schema (`tests/data/OpenLineage.json`)
//! and each facet against the definition its `_schemaURL` names in the facet schemas of
//! `tests/data/facets/`, formats (`uuid`, `uri`, `date-time`) included. A `schemaURL` or
//! `_schemaURL` naming a schema it does not carry is refused, so no test sends anything
//! unchecked. It answers 201 as Marquez does, 400 for a body that is not JSON and 422
//! with the problems (Dropwizard's `{"errors": [...]}`). `GET /api/v1/namespaces` lists
//! the namespaces of the jobs it has seen as Marquez's `{"namespaces": [...]}`. With a
//! token, both require `Authorization: Bearer <token>` and answer 401 otherwise.
//!
//! Self-contained (only crates the contract suite also has), so the contract row includes
//! it with `#[path]`.
#![expect(clippy::unwrap_used, reason = "test peer: a broken fixture should fail loudly")]

use std::collections::BTreeMap;
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

/// The schema documents the peer carries: the OpenLineage 2-0-2 core specification and
/// the facet schemas the tests' events use (sources and versions in `tests/data/README.md`).
const DOCUMENTS: [&str; 4] = [
    include_str!("../data/OpenLineage.json"),
    include_str!("../data/facets/JobTypeJobFacet.json"),
    include_str!("../data/facets/SchemaDatasetFacet.json"),
    include_str!("../data/facets/ErrorMessageRunFacet.json"),
];

/// The `$id` of the core specification: the version the plugin's events claim.
pub(crate) const SPEC_ID: &str = "https://openlineage.io/spec/2-0-2/OpenLineage.json";

/// The event definitions of the core specification (what `/api/v1/lineage` takes).
const EVENT_DEFINITIONS: [&str; 3] = ["RunEvent", "JobEvent", "DatasetEvent"];

static REGISTRY: LazyLock<jsonschema::Registry<'static>> = LazyLock::new(|| {
    let documents = DOCUMENTS.map(|text| serde_json::from_str::<Value>(text).unwrap());
    let resources = documents.into_iter().map(|d| (d["$id"].as_str().unwrap().to_owned(), d));
    jsonschema::Registry::new().extend(resources).unwrap().prepare().unwrap()
});

/// A validator per definition of every document, keyed `<$id>#/$defs/<name>`.
static DEFINITIONS: LazyLock<BTreeMap<String, jsonschema::Validator>> = LazyLock::new(|| {
    let mut out = BTreeMap::new();
    for text in DOCUMENTS {
        let document: Value = serde_json::from_str(text).unwrap();
        let id = document["$id"].as_str().unwrap();
        for name in document["$defs"].as_object().unwrap().keys() {
            let url = format!("{id}#/$defs/{name}");
            let validator = jsonschema::options()
                .with_registry(&REGISTRY)
                .should_validate_formats(true)
                .build(&json!({ "$ref": url }))
                .unwrap();
            out.insert(url, validator);
        }
    }
    out
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
                            return unauthorized();
                        }
                        let Ok(event) = serde_json::from_slice::<Value>(&body) else {
                            let answer =
                                json!({ "code": 400, "message": "Unable to process JSON" });
                            return (StatusCode::BAD_REQUEST, Json(answer)).into_response();
                        };
                        if let Err(problem) = check(&event) {
                            let answer = json!({ "errors": [problem] });
                            return (StatusCode::UNPROCESSABLE_ENTITY, Json(answer))
                                .into_response();
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

fn unauthorized() -> Response {
    let answer =
        json!({ "code": 401, "message": "Credentials are required to access this resource." });
    (StatusCode::UNAUTHORIZED, Json(answer)).into_response()
}

fn namespaces(allowed: bool, events: &[Value]) -> Response {
    if !allowed {
        return unauthorized();
    }
    let mut names: Vec<&str> =
        events.iter().filter_map(|e| e["job"]["namespace"].as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let list: Vec<Value> = names
        .iter()
        .map(|n| json!({ "name": n, "ownerName": "floe", "createdAt": "2026-01-15T09:30:00Z" }))
        .collect();
    Json(json!({ "namespaces": list })).into_response()
}

/// The problems of `instance` against the definition at `url`, each prefixed with where
/// it is (`at` + the instance path).
fn problems_at(url: &str, instance: &Value, at: &str) -> Vec<String> {
    let validator = &DEFINITIONS[url];
    validator.iter_errors(instance).map(|e| format!("{at}{}: {e}", e.instance_path())).collect()
}

/// Every facet of an event, with where it is (`/run/facets/nominalTime`).
fn facets(event: &Value) -> Vec<(String, &Value)> {
    let mut sets: Vec<(String, &Value)> = vec![
        ("/run/facets".into(), &event["run"]["facets"]),
        ("/job/facets".into(), &event["job"]["facets"]),
    ];
    for side in ["inputs", "outputs"] {
        for (i, dataset) in event[side].as_array().into_iter().flatten().enumerate() {
            for key in ["facets", "inputFacets", "outputFacets"] {
                sets.push((format!("/{side}/{i}/{key}"), &dataset[key]));
            }
        }
    }
    sets.into_iter()
        .filter_map(|(at, set)| set.as_object().map(|set| (at, set)))
        .flat_map(|(at, set)| set.iter().map(move |(name, facet)| (format!("{at}/{name}"), facet)))
        .collect()
}

/// Checks an event against the OpenLineage 2-0-2 definition its `schemaURL` names, and
/// each facet against the definition its `_schemaURL` names.
///
/// # Errors
/// Every problem found, joined.
pub(crate) fn check(event: &Value) -> Result<(), String> {
    let mut problems = Vec::new();
    let claimed = event["schemaURL"].as_str().unwrap_or_default();
    let carried = EVENT_DEFINITIONS.iter().any(|d| claimed == format!("{SPEC_ID}#/$defs/{d}"));
    if carried {
        problems.extend(problems_at(claimed, event, ""));
    } else {
        problems.push(format!(
            "schemaURL {claimed:?} names no event definition of OpenLineage 2-0-2 ({SPEC_ID})"
        ));
    }
    for (at, facet) in facets(event) {
        let claimed = facet["_schemaURL"].as_str().unwrap_or_default();
        if DEFINITIONS.contains_key(claimed) {
            problems.extend(problems_at(claimed, facet, &at));
        } else {
            problems
                .push(format!("{at}: _schemaURL {claimed:?} names no facet schema carried here"));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}
