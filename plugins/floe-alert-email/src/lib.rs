//! floe-alert-email: contract-violation alerts as `multipart/alternative` mail (plain text
//! and HTML) over SMTP with STARTTLS (587), implicit TLS (465), or plain SMTP to a loopback
//! relay, with optional authentication.
//!
//! One `alert.send` span per delivery (see [`telemetry`]); retries only on refused
//! connections and transient (4xx) replies, bounded; addresses and the password never
//! reach a span, an error message or `Debug`: SMTP replies are scrubbed of the password
//! (in every form AUTH sent it) and of the configured addresses, then sanitized.

mod config;
mod error;
pub mod mail;
pub mod telemetry;

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use floe_core::KeyValue;
use floe_core::http::{RetryPolicy, SentCredentials};
use floe_core::plugin::categories::{AlertChannel, AlertTarget, ContractViolation, DeliveryReport};
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginErrorKind, PluginMetadata,
    ResolvedConfig, check_range,
};
use floe_core::telemetry::{DEFAULT_MAX_LEN, attr, describe_error};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};

pub use config::{EmailConfig, TlsMode};
pub use error::EmailAlertError;
use telemetry::{CHANNEL, TRACER_NAME};

static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "email",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::AlertChannel,
    "Mails contract-violation alerts (HTML and plain text) over SMTP with STARTTLS or TLS",
)
.with_tracer_name(TRACER_NAME)
.with_config_schema(config::schema);

/// The plugin as configuration errors name it.
const PLUGIN: &str = "alert_channel/email";

/// The e-mail alert channel. Its `Debug` shows the server, the TLS mode and how many
/// recipients there are, never an address.
pub struct EmailAlertPlugin {
    config: EmailConfig,
    from: Mailbox,
    to: Vec<Mailbox>,
    cc: Vec<Mailbox>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    destination: String,
    /// The password as AUTH sends it and the configured addresses, scrubbed from replies.
    scrub: SentCredentials,
}

impl fmt::Debug for EmailAlertPlugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailAlertPlugin")
            .field("destination", &self.destination)
            .field("tls", &self.config.tls)
            .field("recipient_count", &(self.to.len() + self.cc.len()))
            .field("authenticates", &self.config.username.is_some())
            .finish_non_exhaustive()
    }
}

fn mailboxes(field: &'static str, addresses: &[String]) -> Result<Vec<Mailbox>, EmailAlertError> {
    addresses
        .iter()
        .enumerate()
        .map(|(index, a)| {
            a.parse().map_err(|source| EmailAlertError::Address { field, index, source })
        })
        .collect()
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Checks `config` and parses its addresses.
fn check(config: &EmailConfig) -> Result<(Mailbox, Vec<Mailbox>, Vec<Mailbox>), EmailAlertError> {
    if config.host.trim().is_empty() {
        return Err(EmailAlertError::Empty("host"));
    }
    if config.to.is_empty() {
        return Err(EmailAlertError::Empty("to"));
    }
    check_range("timeout_secs", config.timeout_secs, 1..=300)?;
    check_range("max_attempts", config.max_attempts.into(), 1..=10)?;
    if config.username.is_some() != config.password.is_some() {
        return Err(EmailAlertError::HalfCredentials);
    }
    if config.tls == TlsMode::None && !config.allow_insecure_smtp && !is_loopback(&config.host) {
        return Err(EmailAlertError::Insecure { destination: destination(config) });
    }
    let from = mailboxes("from", std::slice::from_ref(&config.from))?.remove(0);
    Ok((from, mailboxes("to", &config.to)?, mailboxes("cc", &config.cc)?))
}

fn destination(config: &EmailConfig) -> String {
    format!("{}:{}", config.host, config.port())
}

fn transport(config: &EmailConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, EmailAlertError> {
    floe_core::http::install_crypto_provider();
    let tls_parameters = || {
        let ca_error = |path: &str, source: Box<dyn std::error::Error + Send + Sync>| {
            EmailAlertError::CaCertificate { path: path.to_owned(), source }
        };
        let mut builder = TlsParameters::builder(config.host.clone());
        if let Some(path) = &config.ca_certificate {
            let pem = std::fs::read(path).map_err(|e| ca_error(path, e.into()))?;
            let certificate = Certificate::from_pem(&pem).map_err(|e| ca_error(path, e.into()))?;
            builder = builder.add_root_certificate(certificate);
        }
        builder.build_rustls().map_err(|e| ca_error("(TLS set-up)", e.into()))
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
        .port(config.port())
        .timeout(Some(Duration::from_secs(config.timeout_secs)));
    builder = match config.tls {
        TlsMode::Starttls => builder.tls(Tls::Required(tls_parameters()?)),
        TlsMode::Tls => builder.tls(Tls::Wrapper(tls_parameters()?)),
        TlsMode::None => builder.tls(Tls::None),
    };
    if let (Some(user), Some(password)) = (&config.username, &config.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.expose().clone()));
    }
    Ok(builder.build())
}

/// Whether the connection was refused: the server is not there, so nothing was sent.
fn refused(error: &lettre::transport::smtp::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::ConnectionRefused;
        }
        source = inner.source();
    }
    false
}

/// What a reply may quote that must not be shown: the password in each form AUTH sent
/// it, and every configured address.
fn scrub_list(config: &EmailConfig) -> SentCredentials {
    let mut scrub = SentCredentials::new();
    if let (Some(user), Some(password)) = (&config.username, &config.password) {
        scrub.add_sasl(user, password.expose());
    }
    for address in std::iter::once(&config.from).chain(&config.to).chain(&config.cc) {
        scrub.add(address);
    }
    scrub
}

/// The error for a failed SMTP exchange; the reply text is scrubbed of the password and
/// the addresses, then sanitized (other addresses in it lose their local part).
fn classify(
    error: &lettre::transport::smtp::Error,
    destination: &str,
    scrub: &SentCredentials,
) -> EmailAlertError {
    let destination = destination.to_owned();
    let detail = scrub.clean(&error.to_string(), DEFAULT_MAX_LEN).into_string();
    if error.is_permanent() {
        EmailAlertError::Rejected { destination, detail }
    } else if error.is_transient() {
        EmailAlertError::Deferred { destination, detail }
    } else if error.is_timeout() {
        EmailAlertError::TimedOut { destination }
    } else {
        EmailAlertError::Transport { destination, detail }
    }
}

impl EmailAlertPlugin {
    /// A plugin for `config`.
    ///
    /// # Errors
    /// When the config cannot work (bad address, plain SMTP to a remote host, an unusable
    /// CA certificate, out-of-range values).
    pub fn new(config: EmailConfig) -> Result<Self, EmailAlertError> {
        let destination = destination(&config);
        let target =
            AlertTarget { tracer_name: TRACER_NAME, channel: CHANNEL, destination: &destination };
        let ((from, to, cc), transport) =
            target.validate(|| Ok::<_, EmailAlertError>((check(&config)?, transport(&config)?)))?;
        let scrub = scrub_list(&config);
        Ok(Self { config, from, to, cc, transport, destination, scrub })
    }

    fn target(&self) -> AlertTarget<'_> {
        AlertTarget { tracer_name: TRACER_NAME, channel: CHANNEL, destination: &self.destination }
    }

    /// `exchange` bounded by the configured timeout as a whole: lettre's own timeout covers
    /// each read and write, not a server that stops answering in the middle of a reply.
    async fn bounded<T>(&self, exchange: impl Future<Output = T>) -> Result<T, EmailAlertError> {
        tokio::time::timeout(Duration::from_secs(self.config.timeout_secs), exchange)
            .await
            .map_err(|_| EmailAlertError::TimedOut { destination: self.destination.clone() })
    }
}

impl AlertChannel for EmailAlertPlugin {
    type Error = EmailAlertError;

    fn validate_config(&self) -> Result<(), Self::Error> {
        self.target().validate(|| check(&self.config).map(|_| ()))
    }

    async fn send(&self, violation: &ContractViolation) -> Result<DeliveryReport, Self::Error> {
        let recipients = i64::try_from(self.to.len() + self.cc.len()).unwrap_or(i64::MAX);
        let count = KeyValue::new(attr::ALERT_RECIPIENT_COUNT, recipients);
        self.target()
            .send(violation, [count], |span| async move {
                let message = mail::message(violation, &self.from, &self.to, &self.cc)
                    .map_err(EmailAlertError::Build)?;
                let policy = RetryPolicy::default();
                let mut backoff = policy.initial_backoff;
                let mut attempt = 1;
                loop {
                    let Err(error) = self.bounded(self.transport.send(message.clone())).await?
                    else {
                        return Ok(attempt);
                    };
                    let retryable = error.is_transient() || refused(&error);
                    if !retryable || attempt >= self.config.max_attempts {
                        return Err(classify(&error, &self.destination, &self.scrub));
                    }
                    span.add_event(
                        attr::ALERT_RETRY_EVENT,
                        vec![KeyValue::new(attr::ALERT_ATTEMPT, i64::from(attempt))],
                    );
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(policy.max_backoff);
                    attempt += 1;
                }
            })
            .await
    }
}

impl Lifecycle for EmailAlertPlugin {
    /// Connect, `EHLO` (and STARTTLS and AUTH as configured), `NOOP`, `QUIT`; traced as
    /// `alert.health_check`. A transient (4xx) reply on the way is degraded: the server is
    /// up but defers work, so mail waits and is retried; anything else that fails is
    /// unhealthy.
    async fn health_check(&self) -> HealthStatus {
        self.target()
            .health_check(|_span| async move {
                match self.bounded(self.transport.test_connection()).await {
                    Err(timed_out) => HealthStatus::Unhealthy { reason: timed_out.to_string() },
                    Ok(Ok(true)) => HealthStatus::Healthy,
                    Ok(Ok(false)) => HealthStatus::Unhealthy {
                        reason: format!("{} refused NOOP", self.destination),
                    },
                    Ok(Err(error)) if error.is_transient() => HealthStatus::Degraded {
                        reason: format!(
                            "{} is up but defers mail: {}",
                            self.destination,
                            self.scrub.clean(&error.to_string(), DEFAULT_MAX_LEN)
                        ),
                    },
                    Ok(Err(error)) => HealthStatus::Unhealthy {
                        reason: classify(&error, &self.destination, &self.scrub).to_string(),
                    },
                }
            })
            .await
    }
}

impl Plugin for EmailAlertPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(serde_json::json!({
            "channel": CHANNEL,
            "destination": self.destination,
            "recipient_count": self.to.len() + self.cc.len(),
        }))
    }
}

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: EmailConfig = config.decode(METADATA.name)?;
    EmailAlertPlugin::new(typed).map(|plugin| Box::new(plugin) as Box<dyn Plugin>).map_err(
        |error| match error.key() {
            Some(key) => config.invalid(PLUGIN, &key, describe_error(&error)),
            None => PluginError::from_error(PLUGIN, PluginErrorKind::Config, error),
        },
    )
}

floe_core::register_plugin!(METADATA, construct);
