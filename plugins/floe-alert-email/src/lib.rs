//! floe-alert-email: contract-violation alerts as `multipart/alternative` mail (plain text
//! and HTML) over SMTP with STARTTLS (587), implicit TLS (465), or plain SMTP to a loopback
//! relay, with optional authentication.
//!
//! One `alert.send` span per delivery (see [`telemetry`]); retries only on refused
//! connections and transient (4xx) replies, bounded; addresses and the password never
//! reach a span or an error message.

mod config;
pub mod mail;
pub mod telemetry;

use std::net::IpAddr;
use std::time::Duration;

use floe_core::KeyValue;
use floe_core::http::RetryPolicy;
use floe_core::plugin::categories::{
    AlertChannel, AlertTarget, ContractViolation, DeliveryFailure, DeliveryReport, DeliveryStatus,
};
use floe_core::plugin::{
    HealthStatus, Lifecycle, OutOfRange, Plugin, PluginCategory, PluginError, PluginErrorKind,
    PluginMetadata, ResolvedConfig, check_range,
};
use floe_core::telemetry::{attr, sanitize_error_message};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};

pub use config::{EmailConfig, TlsMode};
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

/// Why an e-mail alert could not be configured or delivered. No message holds an address
/// or the password; SMTP replies are sanitized.
#[derive(Debug, thiserror::Error)]
pub enum EmailAlertError {
    /// A setting is out of range.
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    /// A required setting is empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// An address does not parse (the address itself is not repeated).
    #[error("{field}[{index}] is not a valid mailbox")]
    Address {
        /// `from`, `to` or `cc`.
        field: &'static str,
        /// Its position (0 for `from`).
        index: usize,
        /// Why.
        #[source]
        source: lettre::address::AddressError,
    },
    /// `username` without `password`, or the reverse.
    #[error("set both username and password, or neither")]
    HalfCredentials,
    /// Plain SMTP to a host that is not loopback, without the opt-in.
    #[error(
        "tls: none to {destination} sends mail and password in clear: use starttls or tls, or set allow_insecure_smtp"
    )]
    Insecure {
        /// The server.
        destination: String,
    },
    /// The CA certificate cannot be read or used.
    #[error("cannot use ca_certificate {path}")]
    CaCertificate {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The message could not be built.
    #[error("cannot build the alert mail")]
    Build(#[source] lettre::error::Error),
    /// The server refused the mail for good (5xx).
    #[error("{destination} rejected the mail: {detail}")]
    Rejected {
        /// The server.
        destination: String,
        /// The reply, sanitized.
        detail: String,
    },
    /// The server could not take the mail now (4xx), after the last retry.
    #[error("{destination} deferred the mail: {detail}")]
    Deferred {
        /// The server.
        destination: String,
        /// The reply, sanitized.
        detail: String,
    },
    /// The server did not answer in time.
    #[error("{destination} did not answer in time")]
    TimedOut {
        /// The server.
        destination: String,
    },
    /// The server could not be reached, or the TLS or SMTP conversation failed.
    #[error("cannot deliver through {destination}: {detail}")]
    Transport {
        /// The server.
        destination: String,
        /// What failed, sanitized.
        detail: String,
    },
}

impl DeliveryFailure for EmailAlertError {
    fn delivery_status(&self) -> DeliveryStatus {
        match self {
            Self::Rejected { .. } => DeliveryStatus::Rejected,
            _ => DeliveryStatus::Failed,
        }
    }
}

/// The e-mail alert channel.
#[derive(Debug)]
pub struct EmailAlertPlugin {
    config: EmailConfig,
    from: Mailbox,
    to: Vec<Mailbox>,
    cc: Vec<Mailbox>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    destination: String,
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

/// The error for a failed SMTP exchange; the reply text is sanitized (addresses in it lose
/// their local part).
fn classify(error: &lettre::transport::smtp::Error, destination: &str) -> EmailAlertError {
    let destination = destination.to_owned();
    let detail = sanitize_error_message(&error.to_string()).as_str().to_owned();
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
        let (from, to, cc) = check(&config)?;
        let transport = transport(&config)?;
        Ok(Self { destination: destination(&config), from, to, cc, transport, config })
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
                        return Err(classify(&error, &self.destination));
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
    /// Connect, `EHLO`, `NOOP`, `QUIT`; traced as `alert.health_check`.
    async fn health_check(&self) -> HealthStatus {
        self.target()
            .health_check(|_span| async move {
                match self.bounded(self.transport.test_connection()).await {
                    Err(timed_out) => HealthStatus::Unhealthy { reason: timed_out.to_string() },
                    Ok(Ok(true)) => HealthStatus::Healthy,
                    Ok(Ok(false)) => HealthStatus::Unhealthy {
                        reason: format!("{} did not answer NOOP", self.destination),
                    },
                    Ok(Err(error)) => HealthStatus::Unhealthy {
                        reason: classify(&error, &self.destination).to_string(),
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
    EmailAlertPlugin::new(typed)
        .map(|plugin| Box::new(plugin) as Box<dyn Plugin>)
        .map_err(|error| PluginError::from_error(METADATA.name, PluginErrorKind::Config, error))
}

floe_core::register_plugin!(METADATA, construct);
