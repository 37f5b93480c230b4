//! floe-lineage-marquez: OpenLineage run events (START, COMPLETE, FAIL) sent over HTTP to
//! Marquez's `/api/v1/lineage` (any OpenLineage HTTP backend works), with optional bearer
//! auth, a namespace strategy, the transport config other emitters use, and a connection
//! check on `/api/v1/namespaces`.
//!
//! One `lineage.emit` span per event (see [`telemetry`]); retries only on 429, 503 and
//! refused connections, bounded; the API key never reaches a span, a log, an error or the
//! transport config.

mod config;
pub mod event;
pub mod telemetry;

use std::time::Duration;

use floe_core::KeyValue;
use floe_core::http::{
    self, EndpointError, RetryPolicy, answer_excerpt, parse_endpoint, safe_destination,
    send_with_retry,
};
use floe_core::plugin::categories::{
    DeliveryStatus, LineageBackend, RunEvent, http_delivery_status,
};
use floe_core::plugin::{
    HealthStatus, Lifecycle, OutOfRange, Plugin, PluginCategory, PluginError, PluginErrorKind,
    PluginMetadata, ResolvedConfig, check_range,
};
use floe_core::secret::Secret;
use floe_core::telemetry::{SpanRecorder, attr, describe_error, in_span_async};
use url::Url;

pub use config::{DEFAULT_PRODUCER, MarquezConfig, NamespaceStrategy};
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

/// Why an event could not be sent, or the backend not reached. No message holds the API
/// key or the URL's user info.
#[derive(Debug, thiserror::Error)]
pub enum MarquezError {
    /// The Marquez URL cannot be used.
    #[error("marquez url: {0}")]
    Endpoint(#[from] EndpointError),
    /// A setting is out of range.
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    /// A setting is empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// `producer` is not a URI.
    #[error("producer is not a URI")]
    Producer(#[source] url::ParseError),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    Client(#[source] http::ClientError),
    /// The event would not be a valid OpenLineage run event.
    #[error("invalid run event: {0}")]
    Event(#[from] EventError),
    /// The backend answered 4xx.
    #[error("{destination} rejected the request with status {status}: {detail}")]
    Rejected {
        /// The backend (host and port).
        destination: String,
        /// The HTTP status.
        status: u16,
        /// The start of its answer, sanitized.
        detail: String,
    },
    /// The backend answered 5xx (or 408/429 after the last retry).
    #[error("{destination} failed with status {status}")]
    Failed {
        /// The backend.
        destination: String,
        /// The HTTP status.
        status: u16,
    },
    /// No answer in time.
    #[error("{destination} did not answer in time")]
    TimedOut {
        /// The backend.
        destination: String,
        /// The transport error, without its URL.
        #[source]
        source: reqwest::Error,
    },
    /// The backend could not be reached.
    #[error("cannot reach {destination}")]
    Unreachable {
        /// The backend.
        destination: String,
        /// The transport error, without its URL.
        #[source]
        source: reqwest::Error,
    },
    /// The backend answered something that is not the namespaces list.
    #[error("{destination} did not answer GET /api/v1/namespaces with a namespaces list")]
    NotMarquez {
        /// The backend.
        destination: String,
    },
}

/// The Marquez lineage backend.
#[derive(Debug)]
pub struct MarquezPlugin {
    config: MarquezConfig,
    http: reqwest::Client,
    destination: String,
    address: String,
    port: u16,
    lineage_url: Secret<String>,
    namespaces_url: Secret<String>,
    public_url: String,
}

fn check(config: &MarquezConfig) -> Result<Url, MarquezError> {
    let url = parse_endpoint(config.url.expose(), config.allow_insecure_http)?;
    check_range("timeout_secs", config.timeout_secs, 1..=300)?;
    check_range("max_attempts", config.max_attempts.into(), 1..=10)?;
    if config.namespace.namespace().split('.').any(str::is_empty) {
        return Err(MarquezError::Empty("namespace"));
    }
    if config.api_key_secret.trim().is_empty() {
        return Err(MarquezError::Empty("api_key_secret"));
    }
    if config.api_key.as_ref().is_some_and(|key| key.expose().is_empty()) {
        return Err(MarquezError::Empty("api_key"));
    }
    Url::parse(&config.producer).map_err(MarquezError::Producer)?;
    Ok(url)
}

impl MarquezPlugin {
    /// A plugin for `config`.
    ///
    /// # Errors
    /// When the config cannot work (bad URL, plain HTTP not allowed, empty names,
    /// out-of-range values).
    pub fn new(config: MarquezConfig) -> Result<Self, MarquezError> {
        let mut url = check(&config)?;
        let http =
            http::client(Duration::from_secs(config.timeout_secs)).map_err(MarquezError::Client)?;
        let base = config.url.expose().trim_end_matches('/');
        let lineage_url = Secret::new(format!("{base}/api/v1/lineage"));
        let namespaces_url = Secret::new(format!("{base}/api/v1/namespaces"));
        let address = url.host_str().unwrap_or_default().to_owned();
        let port = url.port_or_known_default().unwrap_or(443);
        // The URL other emitters get: no user info (it may be a credential).
        let _ = url.set_username("");
        let _ = url.set_password(None);
        Ok(Self {
            destination: safe_destination(config.url.expose()),
            public_url: url.as_str().trim_end_matches('/').to_owned(),
            address,
            port,
            lineage_url,
            namespaces_url,
            http,
            config,
        })
    }

    /// The namespace jobs get when an event names none.
    pub fn namespace(&self) -> String {
        self.config.namespace.namespace()
    }

    fn server_attributes(&self) -> Vec<KeyValue> {
        vec![
            KeyValue::new(attr::SERVER_ADDRESS, self.address.clone()),
            KeyValue::new(attr::SERVER_PORT, i64::from(self.port)),
        ]
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.config.api_key {
            Some(key) => request.bearer_auth(key.expose()),
            None => request,
        }
    }

    /// Maps the outcome of a request to a response or an error, recording the status code.
    async fn answer(
        &self,
        span: &SpanRecorder,
        result: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<reqwest::Response, MarquezError> {
        let destination = self.destination.clone();
        let response = match result {
            Ok(response) => response,
            Err(error) if error.is_timeout() => {
                return Err(MarquezError::TimedOut { destination, source: error.without_url() });
            }
            Err(error) => {
                return Err(MarquezError::Unreachable { destination, source: error.without_url() });
            }
        };
        let status = response.status().as_u16();
        span.set_attribute(KeyValue::new(attr::HTTP_RESPONSE_STATUS_CODE, i64::from(status)));
        match http_delivery_status(status) {
            DeliveryStatus::Delivered => Ok(response),
            DeliveryStatus::Rejected => {
                let detail = answer_excerpt(response).await;
                Err(MarquezError::Rejected { destination, status, detail })
            }
            DeliveryStatus::Failed => Err(MarquezError::Failed { destination, status }),
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
        in_span_async(TRACER_NAME, LineageOp::Emit, attributes, |span| async move {
            let body = event::run_event(event, &namespace, &self.config.producer)?;
            let policy =
                RetryPolicy { max_attempts: self.config.max_attempts, ..RetryPolicy::default() };
            let sent = send_with_retry(
                &policy,
                || self.authorized(self.http.post(self.lineage_url.expose())).json(&body),
                |retry| {
                    let mut attributes =
                        vec![KeyValue::new(attr::LINEAGE_ATTEMPT, i64::from(retry.attempt))];
                    if let Some(status) = retry.status {
                        attributes.push(KeyValue::new(
                            attr::HTTP_RESPONSE_STATUS_CODE,
                            i64::from(status),
                        ));
                    }
                    span.add_event(attr::LINEAGE_RETRY_EVENT, attributes);
                },
            )
            .await;
            self.answer(&span, sent.result).await.map(|_| ())
        })
        .await
    }

    fn transport_config(&self) -> serde_json::Value {
        let mut transport = serde_json::json!({
            "type": "http",
            "url": self.public_url,
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
            |span| async move {
                let request = self.authorized(self.http.get(self.namespaces_url.expose()));
                let response = self.answer(&span, request.send().await).await?;
                let listed = response
                    .json::<serde_json::Value>()
                    .await
                    .ok()
                    .is_some_and(|body| body["namespaces"].is_array());
                if listed {
                    Ok(())
                } else {
                    Err(MarquezError::NotMarquez { destination: self.destination.clone() })
                }
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
    let typed: MarquezConfig = config.decode(METADATA.name)?;
    MarquezPlugin::new(typed)
        .map(|plugin| Box::new(plugin) as Box<dyn Plugin>)
        .map_err(|error| PluginError::from_error(METADATA.name, PluginErrorKind::Config, error))
}

floe_core::register_plugin!(METADATA, construct);
