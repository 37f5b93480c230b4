//! A loopback Cube server for the tests: `GET /readyz` answers like Cube's API server
//! (`{"health":"HEALTH"}` when ready, 500 `{"health":"DOWN"}` while its data model or
//! data source is not), and every other path is 404. Shared with the contract row.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use floe_otel_testkit::http::LoopbackServer;

/// A running loopback Cube server; stops when dropped.
#[derive(Debug)]
pub(crate) struct CubeServer {
    server: LoopbackServer,
    ready: Arc<AtomicBool>,
}

impl CubeServer {
    /// Starts a server that is ready, or not.
    pub(crate) fn start(ready: bool) -> Self {
        let flag = Arc::new(AtomicBool::new(ready));
        let state = Arc::clone(&flag);
        let router = Router::new().route(
            "/readyz",
            get(move || {
                let ready = state.load(Ordering::SeqCst);
                async move {
                    if ready {
                        (StatusCode::OK, r#"{"health":"HEALTH"}"#)
                    } else {
                        (StatusCode::INTERNAL_SERVER_ERROR, r#"{"health":"DOWN"}"#)
                    }
                }
            }),
        );
        Self { server: LoopbackServer::start(router), ready: flag }
    }

    /// Makes the server (un)ready.
    pub(crate) fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
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

/// The dbt manifest of the tests: `dbt parse` of a four-model project, trimmed to what
/// generators read.
pub(crate) fn manifest() -> serde_json::Value {
    let text = include_str!("data/manifest.json");
    serde_json::from_str(text).expect("the test manifest is JSON")
}
