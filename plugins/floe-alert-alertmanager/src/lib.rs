//! floe-alert-alertmanager: contract-violation alerts posted to Prometheus Alertmanager's
//! API v2 (`POST /api/v2/alerts`), with a health check on `/-/healthy`.
//!
//! One `alert.send` span per delivery (see [`telemetry`]); retries only on 429, 503 and
//! refused connections, bounded; credentials never reach a span or an error message.

mod config;
pub mod payload;
pub mod telemetry;

use std::time::Duration;

use floe_core::KeyValue;
use floe_core::http::{self, EndpointError, RetryPolicy, parse_endpoint, safe_destination};
use floe_core::plugin::categories::{
    AlertChannel, AlertTarget, ContractViolation, DeliveryFailure, DeliveryReport, DeliveryStatus,
    HttpDeliveryError, deliver_http,
};
use floe_core::plugin::{
    HealthStatus, Lifecycle, OutOfRange, Plugin, PluginCategory, PluginError, PluginErrorKind,
    PluginMetadata, ResolvedConfig, check_range,
};
use floe_core::secret::Secret;
use floe_core::telemetry::{attr, describe_error};
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

/// Why an Alertmanager alert could not be configured or delivered.
#[derive(Debug, thiserror::Error)]
pub enum AlertmanagerError {
    /// The Alertmanager URL cannot be used.
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
    Client(#[source] http::ClientError),
    /// Alertmanager rejected the alert or could not be reached.
    #[error(transparent)]
    Delivery(#[from] HttpDeliveryError),
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
    http: reqwest::Client,
    destination: String,
    alerts_url: Secret<String>,
    healthy_url: Secret<String>,
    generator_url: Option<Url>,
}

fn check(config: &AlertmanagerConfig) -> Result<Option<Url>, AlertmanagerError> {
    parse_endpoint(config.url.expose(), config.allow_insecure_http)?;
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

impl AlertmanagerPlugin {
    /// A plugin for `config`.
    ///
    /// # Errors
    /// When the config cannot work (bad URL, plain HTTP not allowed, two credentials,
    /// out-of-range values).
    pub fn new(config: AlertmanagerConfig) -> Result<Self, AlertmanagerError> {
        let generator_url = check(&config)?;
        let http = http::client(Duration::from_secs(config.timeout_secs))
            .map_err(AlertmanagerError::Client)?;
        let base = config.url.expose().trim_end_matches('/');
        Ok(Self {
            destination: safe_destination(config.url.expose()),
            alerts_url: Secret::new(format!("{base}/api/v2/alerts")),
            healthy_url: Secret::new(format!("{base}/-/healthy")),
            generator_url,
            http,
            config,
        })
    }

    fn target(&self) -> AlertTarget<'_> {
        AlertTarget { tracer_name: TRACER_NAME, channel: CHANNEL, destination: &self.destination }
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match (&self.config.bearer_token, &self.config.basic_auth) {
            (Some(token), _) => request.bearer_auth(token.expose()),
            (None, Some(basic)) => {
                request.basic_auth(&basic.username, Some(basic.password.expose()))
            }
            (None, None) => request,
        }
    }
}

impl AlertChannel for AlertmanagerPlugin {
    type Error = AlertmanagerError;

    fn validate_config(&self) -> Result<(), Self::Error> {
        self.target().validate(|| check(&self.config).map(|_| ()))
    }

    async fn send(&self, violation: &ContractViolation) -> Result<DeliveryReport, Self::Error> {
        self.target()
            .send(violation, [], |span| async move {
                let body = payload::alerts(
                    violation,
                    &self.config.alertname,
                    &self.config.labels,
                    self.generator_url.as_ref(),
                );
                let policy = RetryPolicy {
                    max_attempts: self.config.max_attempts,
                    ..RetryPolicy::default()
                };
                let (_, attempts) = deliver_http(&span, &policy, &self.destination, || {
                    self.authorized(self.http.post(self.alerts_url.expose())).json(&body)
                })
                .await?;
                Ok(attempts)
            })
            .await
    }
}

impl Lifecycle for AlertmanagerPlugin {
    /// `GET /-/healthy`, traced as `alert.health_check`.
    async fn health_check(&self) -> HealthStatus {
        self.target()
            .health_check(|span| async move {
                let request = self.authorized(self.http.get(self.healthy_url.expose()));
                match request.send().await {
                    Ok(response) => {
                        let status = response.status();
                        span.set_attribute(KeyValue::new(
                            attr::HTTP_RESPONSE_STATUS_CODE,
                            i64::from(status.as_u16()),
                        ));
                        if status.is_success() {
                            HealthStatus::Healthy
                        } else {
                            HealthStatus::Unhealthy {
                                reason: format!("{} answered {status}", self.destination),
                            }
                        }
                    }
                    Err(error) => HealthStatus::Unhealthy {
                        reason: format!(
                            "cannot reach {}: {}",
                            self.destination,
                            describe_error(&error.without_url())
                        ),
                    },
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
    AlertmanagerPlugin::new(typed)
        .map(|plugin| Box::new(plugin) as Box<dyn Plugin>)
        .map_err(|error| PluginError::from_error(METADATA.name, PluginErrorKind::Config, error))
}

floe_core::register_plugin!(METADATA, construct);
