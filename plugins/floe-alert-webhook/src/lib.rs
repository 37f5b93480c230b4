//! floe-alert-webhook: contract-violation alerts as CloudEvents 1.0 in structured mode
//! (`application/cloudevents+json`), sent with `POST` to a receiver, optionally signed
//! with HMAC-SHA256 over a signed send time and the body ([`event`] documents the
//! scheme), so a receiver can refuse a replayed delivery.
//!
//! One `alert.send` span per delivery (see [`telemetry`]), on floe-core's peer-call path:
//! the whole call bounded by `timeout_secs`, retries only on 429, 503 and refused
//! connections, no redirect followed, answers bounded. The URL, the signing secret and
//! the signature never reach a span, an error message or a log: the receiver's words are
//! scrubbed of them before they are sanitized.

mod config;
pub mod event;
pub mod telemetry;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use floe_core::http::{CaBundleError, EndpointError, Peer, RetryPolicy, safe_destination};
use floe_core::plugin::categories::{
    AlertChannel, AlertPeerError, AlertTarget, ContractViolation, DeliveryFailure, DeliveryReport,
    DeliveryStatus, HttpDeliveryError, WebhookUrl, deliver_http,
};
use floe_core::plugin::{
    HealthStatus, Lifecycle, OutOfRange, Plugin, PluginCategory, PluginError, PluginErrorKind,
    PluginMetadata, ResolvedConfig, check_range,
};
use floe_core::secret::Secret;
use floe_core::telemetry::describe_error;

pub use config::{EVENT_TYPE, WebhookConfig};
use telemetry::{CHANNEL, TRACER_NAME};

static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "webhook",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::AlertChannel,
    "Sends contract-violation alerts as CloudEvents 1.0 over HTTP, optionally HMAC-signed",
)
.with_tracer_name(TRACER_NAME)
.with_config_schema(config::schema);

/// The plugin as configuration errors name it.
const PLUGIN: &str = "alert_channel/webhook";

/// Why a webhook alert could not be configured or delivered.
#[derive(Debug, thiserror::Error)]
pub enum WebhookAlertError {
    /// The receiver URL cannot be used.
    #[error("webhook url: {0}")]
    Endpoint(#[from] EndpointError),
    /// A setting is out of range.
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    /// A setting is empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    Client(#[source] CaBundleError),
    /// The receiver rejected the event or could not be reached.
    #[error(transparent)]
    Delivery(#[from] HttpDeliveryError),
}

impl WebhookAlertError {
    /// The config key a configuration error is about (`floe compile` names it).
    pub fn key(&self) -> Option<&'static str> {
        match self {
            Self::Endpoint(_) => Some("url"),
            Self::OutOfRange(range) => Some(range.setting),
            Self::Empty(key) => Some(key),
            Self::Client(_) | Self::Delivery(_) => None,
        }
    }
}

impl DeliveryFailure for WebhookAlertError {
    fn delivery_status(&self) -> DeliveryStatus {
        match self {
            Self::Delivery(error) => error.delivery_status(),
            _ => DeliveryStatus::Failed,
        }
    }
}

/// The webhook alert channel.
#[derive(Debug)]
pub struct WebhookAlertPlugin {
    config: WebhookConfig,
    webhook: WebhookUrl,
    peer: Peer,
    destination: String,
}

/// Checks `config`; the receiver URL is returned parsed.
fn check(config: &WebhookConfig) -> Result<WebhookUrl, WebhookAlertError> {
    let webhook = WebhookUrl::parse(config.url.expose(), config.allow_insecure_http)?;
    check_range("timeout_secs", config.timeout_secs, 1..=300)?;
    check_range("max_attempts", config.max_attempts.into(), 1..=10)?;
    if config.source.trim().is_empty() {
        return Err(WebhookAlertError::Empty("source"));
    }
    if config.signing_secret.as_ref().is_some_and(|s| s.expose().is_empty()) {
        return Err(WebhookAlertError::Empty("signing_secret"));
    }
    Ok(webhook)
}

impl WebhookAlertPlugin {
    /// A plugin for `config`, checked inside an `alert.validate_config` span.
    ///
    /// # Errors
    /// When the config cannot work (bad URL, plain HTTP not allowed, out-of-range values).
    pub fn new(config: WebhookConfig) -> Result<Self, WebhookAlertError> {
        let destination = safe_destination(config.url.expose());
        let target =
            AlertTarget { tracer_name: TRACER_NAME, channel: CHANNEL, destination: &destination };
        let webhook = target.validate(|| check(&config))?;
        let retry = RetryPolicy { max_attempts: config.max_attempts, ..RetryPolicy::default() };
        let peer =
            webhook.peer(Duration::from_secs(config.timeout_secs), retry).map_err(|error| {
                match error {
                    AlertPeerError::Endpoint(error) => WebhookAlertError::Endpoint(error),
                    AlertPeerError::Client(error) => WebhookAlertError::Client(error),
                }
            })?;
        Ok(Self { config, webhook, peer, destination })
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
}

impl AlertChannel for WebhookAlertPlugin {
    type Error = WebhookAlertError;

    fn validate_config(&self) -> Result<(), Self::Error> {
        self.target().validate(|| check(&self.config).map(|_| ()))
    }

    async fn send(&self, violation: &ContractViolation) -> Result<DeliveryReport, Self::Error> {
        self.target()
            .send(violation, [], |_| async move {
                let body = event::envelope(violation, &self.config.source).to_string();
                let mut request = self.webhook.post();
                if let Some(secret) = &self.config.signing_secret {
                    // Signed once: retries carry the same send time and signature.
                    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
                    let timestamp = now.as_secs();
                    let signature =
                        event::signature(secret.expose().as_bytes(), timestamp, body.as_bytes());
                    request = request
                        .credential(secret)
                        .header(event::TIMESTAMP_HEADER, &timestamp.to_string())
                        .header_secret(event::SIGNATURE_HEADER, &Secret::new(signature));
                }
                let request = request.body(event::CONTENT_TYPE, body.into_bytes());
                let answer = deliver_http(&self.peer, request).await?;
                Ok(answer.attempts())
            })
            .await
    }
}

impl Lifecycle for WebhookAlertPlugin {
    /// A webhook receiver cannot be asked whether it is up without sending it an event, so
    /// the health check is the config check (traced as `alert.validate_config`).
    async fn health_check(&self) -> HealthStatus {
        match self.validate_config() {
            Ok(()) => HealthStatus::Healthy,
            Err(error) => HealthStatus::Unhealthy { reason: describe_error(&error).to_string() },
        }
    }
}

impl Plugin for WebhookAlertPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(serde_json::json!({
            "channel": CHANNEL,
            "destination": self.destination,
            "event_type": EVENT_TYPE,
            "source": self.config.source,
            "signed": self.config.signing_secret.is_some(),
        }))
    }
}

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: WebhookConfig = config.decode(METADATA.name)?;
    WebhookAlertPlugin::new(typed).map(|plugin| Box::new(plugin) as Box<dyn Plugin>).map_err(
        |error| match error.key() {
            Some(key) => config.invalid(PLUGIN, key, describe_error(&error)),
            None => PluginError::from_error(PLUGIN, PluginErrorKind::Config, error),
        },
    )
}

floe_core::register_plugin!(METADATA, construct);
