//! floe-lineage-marquez: OpenLineage run events of spec 2-0-2 (START, RUNNING,
//! COMPLETE, ABORT, FAIL, OTHER) sent over HTTP to Marquez's `/api/v1/lineage` (any
//! OpenLineage HTTP backend works), with optional bearer auth, a namespace strategy, the
//! transport config other emitters use, and a connection check on `/api/v1/namespaces`.
//!
//! Every call goes through floe-core's peer-call path ([`floe_core::http::Peer`]): one time
//! budget per call, retries only on 429, 503 and refused connections (never on 401 or
//! 403), an answer of at most [`MAX_ANSWER_BYTES`], no redirect ever followed, and
//! Marquez's own words scrubbed of the API key before they are sanitized. The URL is
//! `https`, plain `http` to loopback, or plain `http` with `allow_insecure_http`; it may
//! carry no user info and no query (the transport config publishes it). One
//! `lineage.emit` span per event (see [`telemetry`]); the API key never reaches a span, a
//! log, an error or the transport config.

mod config;
mod error;
pub mod event;
pub mod telemetry;

use std::time::Duration;

use floe_core::KeyValue;
use floe_core::http::{Peer, PeerAnswer, PeerRequest, RetryEvents, RetryPolicy};
use floe_core::plugin::categories::{LineageBackend, RunEvent};
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginMetadata, ResolvedConfig,
    check_range,
};
use floe_core::telemetry::{attr, describe_error, in_span_async};
use serde::Deserialize;
use url::Url;

pub use config::{DEFAULT_PRODUCER, MarquezConfig, NamespaceStrategy};
pub use error::MarquezError;
pub use event::EventError;
use telemetry::{LineageOp, TRACER_NAME};

static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "marquez",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::LineageBackend,
    "Sends OpenLineage run events to Marquez over HTTP",
)
.with_tracer_name(TRACER_NAME)
.with_config_schema(config::schema);

/// The plugin as errors name it.
const PLUGIN: &str = "lineage_backend/marquez";

/// The largest answer read from Marquez: it answers a lineage post with no body, and a
/// page of the namespaces list (100 by default) in a few kilobytes.
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

/// The part of Marquez's namespaces list the connection check reads.
#[derive(Deserialize)]
struct Namespaces {
    #[expect(dead_code, reason = "read to check the answer's shape, never used")]
    namespaces: Vec<Namespace>,
}

#[derive(Deserialize)]
struct Namespace {
    #[expect(dead_code, reason = "read to check the answer's shape, never used")]
    name: String,
}

/// The Marquez lineage backend.
#[derive(Debug)]
pub struct MarquezPlugin {
    config: MarquezConfig,
    peer: Peer,
    port: u16,
}

fn config_error(key: &'static str, reason: impl std::fmt::Display) -> MarquezError {
    MarquezError::Config { key, reason: reason.to_string() }
}

/// The peer for `config`, after checking every setting.
fn peer(config: &MarquezConfig) -> Result<Peer, MarquezError> {
    let events = RetryEvents::new(attr::LINEAGE_RETRY_EVENT, attr::LINEAGE_ATTEMPT);
    let builder = Peer::builder(config.url.expose(), config.allow_insecure_http, events)
        .map_err(|error| config_error("url", error))?;
    check_range("timeout_secs", config.timeout_secs, 1..=300)
        .map_err(|error| config_error("timeout_secs", error))?;
    check_range("max_attempts", config.max_attempts.into(), 1..=10)
        .map_err(|error| config_error("max_attempts", error))?;
    if config.namespace.namespace().split('.').any(str::is_empty) {
        return Err(config_error("namespace", "must not be empty"));
    }
    if config.api_key_secret.trim().is_empty() {
        return Err(config_error("api_key_secret", r#""" names no secret"#));
    }
    if config.api_key.as_ref().is_some_and(|key| key.expose().is_empty()) {
        return Err(config_error("api_key", r#""" is not a key; leave api_key out to send none"#));
    }
    if Url::parse(&config.producer).is_err() {
        return Err(config_error("producer", "is not a URI"));
    }
    let retry = RetryPolicy { max_attempts: config.max_attempts, ..RetryPolicy::default() };
    builder
        .timeout(Duration::from_secs(config.timeout_secs))
        .max_body(MAX_ANSWER_BYTES)
        .retry(retry)
        .build()
        .map_err(|error| config_error("url", error))
}

impl MarquezPlugin {
    /// A plugin for `config`; makes no call.
    ///
    /// # Errors
    /// [`MarquezError::Config`] naming the setting that cannot work (a URL that is plain
    /// `http` to another host without `allow_insecure_http`, or carries user info or a
    /// query; empty names; out-of-range values).
    pub fn new(config: MarquezConfig) -> Result<Self, MarquezError> {
        let peer = peer(&config)?;
        let port = peer.base().port_or_known_default().unwrap_or(443);
        Ok(Self { config, peer, port })
    }

    /// Uses `retry` from now on (tests keep backoffs short); `max_attempts` of the config
    /// is replaced by the policy's.
    #[must_use]
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.peer.set_retry_policy(retry);
        self
    }

    /// The namespace jobs get when an event names none.
    pub fn namespace(&self) -> String {
        self.config.namespace.namespace()
    }

    fn server_attributes(&self) -> Vec<KeyValue> {
        vec![
            KeyValue::new(attr::SERVER_ADDRESS, self.peer.host().to_owned()),
            KeyValue::new(attr::SERVER_PORT, i64::from(self.port)),
        ]
    }

    /// `request` with the API key as bearer token, when there is one (the peer-call path
    /// records it, so Marquez's answer is scrubbed of it).
    fn authorized(&self, request: PeerRequest) -> PeerRequest {
        match &self.config.api_key {
            Some(key) => request.bearer(key),
            None => request,
        }
    }
}

impl LineageBackend for MarquezPlugin {
    type Error = MarquezError;

    async fn emit(&self, event: &RunEvent) -> Result<(), Self::Error> {
        let namespace = if event.job_namespace.is_empty() {
            self.namespace()
        } else {
            event.job_namespace.clone()
        };
        let mut attributes = vec![
            KeyValue::new(attr::LINEAGE_JOB_NAME, event.job_name.clone()),
            KeyValue::new(attr::LINEAGE_EVENT_TYPE, event.event_type.as_str()),
            KeyValue::new(attr::LINEAGE_RUN_ID, event.run_id.clone()),
            KeyValue::new(attr::LINEAGE_NAMESPACE, namespace.clone()),
        ];
        attributes.extend(self.server_attributes());
        in_span_async(TRACER_NAME, LineageOp::Emit, attributes, |_span| async move {
            let body = event::run_event(event, &namespace, &self.config.producer)?;
            let request = self.authorized(PeerRequest::post("/api/v1/lineage").json(&body));
            let failed =
                |source| MarquezError::Emit { event_type: event.event_type.as_str(), source };
            self.peer.send(request).await.and_then(PeerAnswer::success).map_err(failed)?;
            Ok(())
        })
        .await
    }

    fn transport_config(&self) -> serde_json::Value {
        let mut transport = serde_json::json!({
            "type": "http",
            "url": self.peer.base().as_str().trim_end_matches('/'),
            "endpoint": "api/v1/lineage",
            "timeout": self.config.timeout_secs,
            "namespace": self.namespace(),
        });
        if self.config.api_key.is_some() {
            transport["auth"] = serde_json::json!({
                "type": "api_key",
                "apiKey": format!("${{secret:{}}}", self.config.api_key_secret),
            });
        }
        transport
    }

    async fn check_connection(&self) -> Result<(), Self::Error> {
        in_span_async(
            TRACER_NAME,
            LineageOp::CheckConnection,
            self.server_attributes(),
            |_span| async move {
                let request = self.authorized(PeerRequest::get("/api/v1/namespaces").accept_json());
                let failed = |source| MarquezError::Connection { source };
                let answer =
                    self.peer.send(request).await.and_then(PeerAnswer::success).map_err(failed)?;
                answer.json::<Namespaces>().map_err(failed)?;
                Ok(())
            },
        )
        .await
    }
}

impl Lifecycle for MarquezPlugin {
    /// The connection check (traced as `lineage.check_connection`).
    async fn health_check(&self) -> HealthStatus {
        match self.check_connection().await {
            Ok(()) => HealthStatus::Healthy,
            Err(error) => HealthStatus::Unhealthy { reason: describe_error(&error).to_string() },
        }
    }
}

impl Plugin for MarquezPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    /// The transport config: what other emitters need, the API key as a reference only.
    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(self.transport_config())
    }
}

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: MarquezConfig = config.decode(PLUGIN)?;
    let plugin = MarquezPlugin::new(typed).map_err(|error| error.in_config(config, PLUGIN))?;
    Ok(Box::new(plugin))
}

floe_core::register_plugin!(METADATA, construct);
