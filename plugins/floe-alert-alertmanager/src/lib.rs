//! floe-alert-alertmanager: contract-violation alerts posted to Prometheus Alertmanager's
//! API v2 (`POST /api/v2/alerts`), with a health check on `/-/healthy` and the cluster
//! state of `/api/v2/status`.
//!
//! One `alert.send` span per delivery (see [`telemetry`]), on floe-core's peer-call path:
//! the whole call bounded by `timeout_secs`, retries only on 429, 503 and refused
//! connections, no redirect followed, answers bounded; credentials never reach a span or
//! an error message (Alertmanager's words are scrubbed of them before they are sanitized).

mod config;
pub mod payload;
pub mod telemetry;

use std::time::Duration;

use floe_core::http::{
    CaBundleError, EndpointError, Peer, PeerError, PeerRequest, RetryPolicy, parse_base_endpoint,
    safe_destination,
};
use floe_core::plugin::categories::{
    AlertChannel, AlertPeerError, AlertTarget, ContractViolation, DeliveryFailure, DeliveryReport,
    DeliveryStatus, HttpDeliveryError, alert_peer, deliver_http,
};
use floe_core::plugin::{
    HealthStatus, Lifecycle, OutOfRange, Plugin, PluginCategory, PluginError, PluginErrorKind,
    PluginMetadata, ResolvedConfig, check_range,
};
use floe_core::telemetry::describe_error;
use serde::Deserialize;
use url::Url;

pub use config::{AlertmanagerConfig, BasicAuth};
use telemetry::{CHANNEL, TRACER_NAME};

static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "alertmanager",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::AlertChannel,
    "Posts contract-violation alerts to Prometheus Alertmanager (API v2)",
)
.with_tracer_name(TRACER_NAME)
.with_config_schema(config::schema);

/// The plugin as configuration errors name it.
const PLUGIN: &str = "alert_channel/alertmanager";

/// Why an Alertmanager alert could not be configured or delivered.
#[derive(Debug, thiserror::Error)]
pub enum AlertmanagerError {
    /// The Alertmanager URL cannot be used (plain `http` to another host, user info, a
    /// query).
    #[error("alertmanager url: {0}")]
    Endpoint(#[from] EndpointError),
    /// `generator_url` is not an absolute URL.
    #[error("generator_url is not an absolute URL")]
    GeneratorUrl(#[source] url::ParseError),
    /// A setting is out of range.
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    /// A setting is empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// Both kinds of credentials are configured.
    #[error("set bearer_token or basic_auth, not both")]
    TwoCredentials,
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    Client(#[source] CaBundleError),
    /// Alertmanager rejected the alert or could not be reached.
    #[error(transparent)]
    Delivery(#[from] HttpDeliveryError),
}

impl AlertmanagerError {
    /// The config key a configuration error is about (`floe compile` names it).
    pub fn key(&self) -> Option<&'static str> {
        match self {
            Self::Endpoint(_) => Some("url"),
            Self::GeneratorUrl(_) => Some("generator_url"),
            Self::OutOfRange(range) => Some(range.setting),
            Self::Empty(key) => Some(key),
            Self::TwoCredentials => Some("basic_auth"),
            Self::Client(_) | Self::Delivery(_) => None,
        }
    }
}

impl DeliveryFailure for AlertmanagerError {
    fn delivery_status(&self) -> DeliveryStatus {
        match self {
            Self::Delivery(error) => error.delivery_status(),
            _ => DeliveryStatus::Failed,
        }
    }
}

/// The Alertmanager alert channel.
#[derive(Debug)]
pub struct AlertmanagerPlugin {
    config: AlertmanagerConfig,
    peer: Peer,
    destination: String,
    generator_url: Option<Url>,
}

/// Checks `config`: the URL is a base URL that may carry credentials (`https`, plain
/// `http` to loopback or with `allow_insecure_http`; no user info, which belongs in
/// `basic_auth`, and no query), the ranges, one kind of credentials; returns the parsed
/// `generator_url`.
fn check(config: &AlertmanagerConfig) -> Result<Option<Url>, AlertmanagerError> {
    parse_base_endpoint(config.url.expose(), config.allow_insecure_http)?;
    check_range("timeout_secs", config.timeout_secs, 1..=300)?;
    check_range("max_attempts", config.max_attempts.into(), 1..=10)?;
    if config.alertname.trim().is_empty() {
        return Err(AlertmanagerError::Empty("alertname"));
    }
    if config.bearer_token.is_some() && config.basic_auth.is_some() {
        return Err(AlertmanagerError::TwoCredentials);
    }
    config
        .generator_url
        .as_deref()
        .map(|url| Url::parse(url).map_err(AlertmanagerError::GeneratorUrl))
        .transpose()
}

/// The part of `GET /api/v2/status` the health check reads.
#[derive(Deserialize)]
struct Status {
    cluster: ClusterStatus,
}

#[derive(Deserialize)]
struct ClusterStatus {
    /// `ready`, `settling` or `disabled`.
    status: String,
}

impl AlertmanagerPlugin {
    /// A plugin for `config`, checked inside an `alert.validate_config` span.
    ///
    /// # Errors
    /// When the config cannot work (bad URL, plain HTTP not allowed, user info in the URL,
    /// two credentials, out-of-range values).
    pub fn new(config: AlertmanagerConfig) -> Result<Self, AlertmanagerError> {
        let destination = safe_destination(config.url.expose());
        let target =
            AlertTarget { tracer_name: TRACER_NAME, channel: CHANNEL, destination: &destination };
        let generator_url = target.validate(|| check(&config))?;
        let retry = RetryPolicy { max_attempts: config.max_attempts, ..RetryPolicy::default() };
        let timeout = Duration::from_secs(config.timeout_secs);
        let peer = alert_peer(config.url.expose(), config.allow_insecure_http, timeout, retry)
            .map_err(|error| match error {
                AlertPeerError::Endpoint(error) => AlertmanagerError::Endpoint(error),
                AlertPeerError::Client(error) => AlertmanagerError::Client(error),
            })?;
        Ok(Self { config, peer, destination, generator_url })
    }

    /// Uses `retry` instead of the default backoffs (tests keep them short).
    #[must_use]
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.peer.set_retry_policy(retry);
        self
    }

    fn target(&self) -> AlertTarget<'_> {
        AlertTarget { tracer_name: TRACER_NAME, channel: CHANNEL, destination: &self.destination }
    }

    fn authorized(&self, request: PeerRequest) -> PeerRequest {
        match (&self.config.bearer_token, &self.config.basic_auth) {
            (Some(token), _) => request.bearer(token),
            (None, Some(basic)) => request.basic(&basic.username, &basic.password),
            (None, None) => request,
        }
    }

    /// `/-/healthy`, then the cluster state: `None` when ready (or not clustered), else
    /// why the instance is degraded.
    async fn probe(&self) -> Result<Option<String>, PeerError> {
        self.peer.send(self.authorized(PeerRequest::get("/-/healthy"))).await?.success()?;
        let request = self.authorized(PeerRequest::get("/api/v2/status").accept_json());
        let status: Status = self.peer.send(request).await?.success()?.json()?;
        Ok(match status.cluster.status.as_str() {
            "ready" | "disabled" => None,
            other => Some(format!(
                "{} is up but its cluster is {}: notifications wait until it settles",
                self.destination,
                if other == "settling" { "settling" } else { "not ready" },
            )),
        })
    }
}

impl AlertChannel for AlertmanagerPlugin {
    type Error = AlertmanagerError;

    fn validate_config(&self) -> Result<(), Self::Error> {
        self.target().validate(|| check(&self.config).map(|_| ()))
    }

    async fn send(&self, violation: &ContractViolation) -> Result<DeliveryReport, Self::Error> {
        self.target()
            .send(violation, [], |_| async move {
                let body = payload::alerts(
                    violation,
                    &self.config.alertname,
                    &self.config.labels,
                    self.generator_url.as_ref(),
                );
                let request = self.authorized(PeerRequest::post("/api/v2/alerts").json(&body));
                let answer = deliver_http(&self.peer, request).await?;
                Ok(answer.attempts())
            })
            .await
    }
}

impl Lifecycle for AlertmanagerPlugin {
    /// `GET /-/healthy`, then `GET /api/v2/status`: healthy when the cluster is ready (or
    /// clustering is off), degraded while it settles (Alertmanager holds notifications
    /// until then); traced as `alert.health_check`.
    async fn health_check(&self) -> HealthStatus {
        self.target()
            .health_check(|_| async move {
                match self.probe().await {
                    Ok(None) => HealthStatus::Healthy,
                    Ok(Some(reason)) => HealthStatus::Degraded { reason },
                    Err(error) => {
                        HealthStatus::Unhealthy { reason: describe_error(&error).into_string() }
                    }
                }
            })
            .await
    }
}

impl Plugin for AlertmanagerPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(serde_json::json!({
            "channel": CHANNEL,
            "destination": self.destination,
            "alertname": self.config.alertname,
            "labels": self.config.labels,
        }))
    }
}

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: AlertmanagerConfig = config.decode(METADATA.name)?;
    AlertmanagerPlugin::new(typed).map(|plugin| Box::new(plugin) as Box<dyn Plugin>).map_err(
        |error| match error.key() {
            Some(key) => config.invalid(PLUGIN, key, describe_error(&error)),
            None => PluginError::from_error(PLUGIN, PluginErrorKind::Config, error),
        },
    )
}

floe_core::register_plugin!(METADATA, construct);
