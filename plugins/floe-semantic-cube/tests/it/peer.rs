//! A loopback Cube API server for the tests (shared with the contract row): `GET /readyz`
//! answers as Cube's API gateway does (its REST API reference, and `readiness` in
//! `packages/cubejs-api-gateway/src/gateway.ts`): it tests the default data source, then
//! answers 200 `{"health":"HEALTH"}` or 500 `{"health":"DOWN"}` as Express JSON
//! (`X-Powered-By: Express`, `Access-Control-Allow-Origin: *`,
//! `Content-Type: application/json; charset=utf-8`), and reuses an answer for one second
//! (`cachedHandler`'s lifetime). A slow data source makes the answer slow. Any other path
//! gets Express's 404 page.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use floe_otel_testkit::http::LoopbackServer;

/// How long Cube reuses a readiness answer.
const CACHE_LIFETIME: Duration = Duration::from_secs(1);

/// How the server's default data source answers Cube's connection test.
#[derive(Clone, Copy, Debug)]
pub(crate) enum DataSource {
    /// It answers: the server is ready.
    Up,
    /// It refuses: the server is not ready.
    Down,
    /// It answers after this long.
    Slow(Duration),
}

#[derive(Debug)]
struct State {
    source: DataSource,
    cached: Option<(Instant, bool)>,
}

/// A running loopback Cube server; stops when dropped.
#[derive(Debug)]
pub(crate) struct CubeServer {
    server: LoopbackServer,
}

fn express_json(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [
            ("x-powered-by", "Express"),
            ("access-control-allow-origin", "*"),
            (header::CONTENT_TYPE.as_str(), "application/json; charset=utf-8"),
        ],
        body,
    )
        .into_response()
}

async fn readyz(state: Arc<Mutex<State>>) -> Response {
    let cached = {
        let state = state.lock().unwrap_or_else(PoisonError::into_inner);
        state.cached.filter(|(until, _)| Instant::now() < *until).map(|(_, ready)| ready)
    };
    let ready = if let Some(ready) = cached {
        ready
    } else {
        let source = state.lock().unwrap_or_else(PoisonError::into_inner).source;
        let ready = match source {
            DataSource::Up => true,
            DataSource::Down => false,
            DataSource::Slow(delay) => {
                tokio::time::sleep(delay).await;
                true
            }
        };
        state.lock().unwrap_or_else(PoisonError::into_inner).cached =
            Some((Instant::now() + CACHE_LIFETIME, ready));
        ready
    };
    if ready {
        express_json(StatusCode::OK, r#"{"health":"HEALTH"}"#)
    } else {
        express_json(StatusCode::INTERNAL_SERVER_ERROR, r#"{"health":"DOWN"}"#)
    }
}

async fn express_not_found(uri: Uri) -> Response {
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n\
         </head>\n<body>\n<pre>Cannot GET {}</pre>\n</body>\n</html>\n",
        uri.path()
    );
    (
        StatusCode::NOT_FOUND,
        [("x-powered-by", "Express"), (header::CONTENT_TYPE.as_str(), "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

impl CubeServer {
    /// Starts a server whose data source behaves as `source`.
    pub(crate) fn start(source: DataSource) -> Self {
        let state = Arc::new(Mutex::new(State { source, cached: None }));
        let router = Router::new()
            .route("/readyz", get(move || readyz(Arc::clone(&state))))
            .fallback(express_not_found);
        Self { server: LoopbackServer::start(router) }
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn url(&self) -> String {
        self.server.url("")
    }

    /// `127.0.0.1:<port>`.
    pub(crate) fn host_port(&self) -> String {
        self.server.addr().to_string()
    }

    /// The paths requested so far.
    pub(crate) fn paths(&self) -> Vec<String> {
        self.server.requests().into_iter().map(|r| r.path).collect()
    }

    /// The `Authorization` header of each request so far.
    pub(crate) fn authorization(&self) -> Vec<Option<String>> {
        self.server
            .requests()
            .iter()
            .map(|r| r.header("authorization").map(str::to_owned))
            .collect()
    }
}

/// A plugin config for a server at `server_url`.
pub(crate) fn config(server_url: &str) -> serde_json::Value {
    serde_json::json!({
        "server_url": server_url,
        "api_secret": { "name": "cube-api", "key": "secret" },
        "datasource": {
            "type": "postgres",
            "host": "warehouse.floe.svc",
            "port": 5432,
            "database": "analytics",
            "user": "cube",
            "password": { "name": "warehouse-credentials", "key": "password" }
        },
        "security": { "tenant_claim": "tenant_id", "tenant_dimension": "customer_id" },
        "include_tags": ["semantic"],
        "timeout_secs": 5
    })
}
