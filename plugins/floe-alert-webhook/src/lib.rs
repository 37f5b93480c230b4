//! floe-alert-webhook: contract-violation alerts as CloudEvents 1.0 in structured mode
//! (`application/cloudevents+json`), sent with `POST` to a receiver, optionally signed with
//! HMAC-SHA256.
//!
//! One `alert.send` span per delivery (see [`telemetry`]); retries only on 429, 503 and
//! refused connections, bounded; the URL and the signing secret never reach a span or an
//! error message.

mod config;
pub mod event;
pub mod telemetry;

use std::time::Duration;

use floe_core::http::{self, EndpointError, RetryPolicy, parse_endpoint, safe_destination};
use floe_core::plugin::categories::{
    AlertChannel, AlertTarget, ContractViolation, DeliveryFailure, DeliveryReport, DeliveryStatus,
    HttpDeliveryError, deliver_http,
};
use floe_core::plugin::{
    HealthStatus, Lifecycle, OutOfRange, Plugin, PluginCategory, PluginError, PluginErrorKind,
    PluginMetadata, ResolvedConfig, check_range,
};
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
    Client(#[source] http::ClientError),
    /// The event could not be encoded.
    #[error("cannot encode the CloudEvent")]
    Encode(#[source] serde_json::Error),
    /// The receiver rejected the event or could not be reached.
    #[error(transparent)]
    Delivery(#[from] HttpDeliveryError),
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
    http: reqwest::Client,
    destination: String,
}

/// Checks `config`; the receiver URL is returned parsed.
fn check(config: &WebhookConfig) -> Result<reqwest::Url, WebhookAlertError> {
    let url = parse_endpoint(config.url.expose(), config.allow_insecure_http)?;
    check_range("timeout_secs", config.timeout_secs, 1..=300)?;
    check_range("max_attempts", config.max_attempts.into(), 1..=10)?;
    if config.source.trim().is_empty() {
        return Err(WebhookAlertError::Empty("source"));
    }
    if config.signing_secret.as_ref().is_some_and(|s| s.expose().is_empty()) {
        return Err(WebhookAlertError::Empty("signing_secret"));
    }
    Ok(url)
}

impl WebhookAlertPlugin {
    /// A plugin for `config`.
    ///
    /// # Errors
    /// When the config cannot work (bad URL, plain HTTP not allowed, out-of-range values).
    pub fn new(config: WebhookConfig) -> Result<Self, WebhookAlertError> {
        check(&config)?;
        let http = http::client(Duration::from_secs(config.timeout_secs))
            .map_err(WebhookAlertError::Client)?;
        let destination = safe_destination(config.url.expose());
        Ok(Self { config, http, destination })
    }

    fn target(&self) -> AlertTarget<'_> {
        AlertTarget { tracer_name: TRACER_NAME, channel: CHANNEL, destination: &self.destination }
    }

    fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy { max_attempts: self.config.max_attempts, ..RetryPolicy::default() }
    }
}

impl AlertChannel for WebhookAlertPlugin {
    type Error = WebhookAlertError;

    fn validate_config(&self) -> Result<(), Self::Error> {
        self.target().validate(|| check(&self.config).map(|_| ()))
    }

    async fn send(&self, violation: &ContractViolation) -> Result<DeliveryReport, Self::Error> {
        self.target()
            .send(violation, [], |span| async move {
                let envelope = event::envelope(violation, &self.config.source);
                let body = serde_json::to_vec(&envelope).map_err(WebhookAlertError::Encode)?;
                let signature = self
                    .config
                    .signing_secret
                    .as_ref()
                    .map(|secret| event::signature(secret.expose().as_bytes(), &body));
                let policy = self.retry_policy();
                let (_, attempts) = deliver_http(&span, &policy, &self.destination, || {
                    let request = self
                        .http
                        .post(self.config.url.expose())
                        .header(reqwest::header::CONTENT_TYPE, event::CONTENT_TYPE)
                        .body(body.clone());
                    match &signature {
                        Some(signature) => request.header(event::SIGNATURE_HEADER, signature),
                        None => request,
                    }
                })
                .await?;
                Ok(attempts)
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
    WebhookAlertPlugin::new(typed)
        .map(|plugin| Box::new(plugin) as Box<dyn Plugin>)
        .map_err(|error| PluginError::from_error(METADATA.name, PluginErrorKind::Config, error))
}

floe_core::register_plugin!(METADATA, construct);
