//! floe-alert-slack: contract-violation alerts as Slack Block Kit messages posted to an
//! incoming webhook.
//!
//! One `alert.send` span per delivery (see [`telemetry`]), on floe-core's peer-call path:
//! the whole call bounded by `timeout_secs`, retries only on 429, 503 and refused
//! connections, no redirect followed, answers bounded. The webhook URL, whose path is the
//! credential, never reaches a span, an error message or a log: Slack's words are
//! scrubbed of it before they are sanitized. Text over Slack's limits is cut, not
//! rejected ([`blocks::limits`]).

pub mod blocks;
mod config;
pub mod telemetry;

use std::time::Duration;

use floe_core::http::{CaBundleError, EndpointError, Peer, RetryPolicy, safe_destination};
use floe_core::plugin::categories::{
    AlertChannel, AlertPeerError, AlertTarget, ContractViolation, DeliveryFailure, DeliveryReport,
    DeliveryStatus, HttpDeliveryError, WebhookUrl, deliver_http,
};
use floe_core::plugin::{
    HealthStatus, Lifecycle, OutOfRange, Plugin, PluginCategory, PluginError, PluginErrorKind,
    PluginMetadata, ResolvedConfig, check_range,
};
use floe_core::telemetry::describe_error;

pub use config::SlackConfig;
use telemetry::{CHANNEL, TRACER_NAME};

static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "slack",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::AlertChannel,
    "Posts contract-violation alerts to Slack as Block Kit messages through an incoming webhook",
)
.with_tracer_name(TRACER_NAME)
.with_config_schema(config::schema);

/// The plugin as configuration errors name it.
const PLUGIN: &str = "alert_channel/slack";

/// Why a Slack alert could not be configured or delivered.
#[derive(Debug, thiserror::Error)]
pub enum SlackAlertError {
    /// The webhook URL cannot be used.
    #[error("slack webhook_url: {0}")]
    Endpoint(#[from] EndpointError),
    /// A setting is out of range.
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    /// The channel name is not `#name` or a channel id.
    #[error("slack channel {0:?} is not a channel name (#name) or id")]
    Channel(String),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    Client(#[source] CaBundleError),
    /// Slack rejected the message or could not be reached.
    #[error(transparent)]
    Delivery(#[from] HttpDeliveryError),
}

impl SlackAlertError {
    /// The config key a configuration error is about (`floe compile` names it).
    pub fn key(&self) -> Option<&'static str> {
        match self {
            Self::Endpoint(_) => Some("webhook_url"),
            Self::OutOfRange(range) => Some(range.setting),
            Self::Channel(_) => Some("channel"),
            Self::Client(_) | Self::Delivery(_) => None,
        }
    }
}

impl DeliveryFailure for SlackAlertError {
    fn delivery_status(&self) -> DeliveryStatus {
        match self {
            Self::Delivery(error) => error.delivery_status(),
            _ => DeliveryStatus::Failed,
        }
    }
}

/// The Slack alert channel.
#[derive(Debug)]
pub struct SlackAlertPlugin {
    config: SlackConfig,
    webhook: WebhookUrl,
    peer: Peer,
    destination: String,
}

/// Checks `config`; the webhook URL is returned parsed (`https`, plain `http` to loopback
/// or with `allow_insecure_http`, no user info).
fn check(config: &SlackConfig) -> Result<WebhookUrl, SlackAlertError> {
    let webhook = WebhookUrl::parse(config.webhook_url.expose(), config.allow_insecure_http)?;
    check_range("timeout_secs", config.timeout_secs, 1..=300)?;
    check_range("max_attempts", config.max_attempts.into(), 1..=10)?;
    if let Some(channel) = &config.channel {
        let name = channel.strip_prefix('#').unwrap_or(channel);
        let valid = !name.is_empty()
            && name.len() <= 80
            && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            return Err(SlackAlertError::Channel(channel.clone()));
        }
    }
    Ok(webhook)
}

impl SlackAlertPlugin {
    /// A plugin for `config`, checked inside an `alert.validate_config` span.
    ///
    /// # Errors
    /// When the config cannot work (bad URL, plain HTTP not allowed, a bad channel name,
    /// out-of-range values).
    pub fn new(config: SlackConfig) -> Result<Self, SlackAlertError> {
        let destination =
            config.channel.clone().unwrap_or_else(|| safe_destination(config.webhook_url.expose()));
        let target =
            AlertTarget { tracer_name: TRACER_NAME, channel: CHANNEL, destination: &destination };
        let webhook = target.validate(|| check(&config))?;
        let retry = RetryPolicy { max_attempts: config.max_attempts, ..RetryPolicy::default() };
        let peer =
            webhook.peer(Duration::from_secs(config.timeout_secs), retry).map_err(|error| {
                match error {
                    AlertPeerError::Endpoint(error) => SlackAlertError::Endpoint(error),
                    AlertPeerError::Client(error) => SlackAlertError::Client(error),
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

impl AlertChannel for SlackAlertPlugin {
    type Error = SlackAlertError;

    fn validate_config(&self) -> Result<(), Self::Error> {
        self.target().validate(|| check(&self.config).map(|_| ()))
    }

    async fn send(&self, violation: &ContractViolation) -> Result<DeliveryReport, Self::Error> {
        self.target()
            .send(violation, [], |_| async move {
                let message = blocks::message(
                    violation,
                    self.config.channel.as_deref(),
                    self.config.username.as_deref(),
                );
                let answer = deliver_http(&self.peer, self.webhook.post().json(&message)).await?;
                Ok(answer.attempts())
            })
            .await
    }
}

impl Lifecycle for SlackAlertPlugin {
    /// An incoming webhook cannot be probed without posting a message, so the health check
    /// is the config check (traced as `alert.validate_config`).
    async fn health_check(&self) -> HealthStatus {
        match self.validate_config() {
            Ok(()) => HealthStatus::Healthy,
            Err(error) => HealthStatus::Unhealthy { reason: describe_error(&error).to_string() },
        }
    }
}

impl Plugin for SlackAlertPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(serde_json::json!({
            "channel": CHANNEL,
            "destination": self.destination,
        }))
    }
}

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: SlackConfig = config.decode(METADATA.name)?;
    SlackAlertPlugin::new(typed).map(|plugin| Box::new(plugin) as Box<dyn Plugin>).map_err(
        |error| match error.key() {
            Some(key) => config.invalid(PLUGIN, key, describe_error(&error)),
            None => PluginError::from_error(PLUGIN, PluginErrorKind::Config, error),
        },
    )
}

floe_core::register_plugin!(METADATA, construct);
