//! HTTP for plugins: one way to build a client (rustls on the `ring` provider, timeouts on
//! every request), a bounded retry for the answers where retrying is safe, and the safe
//! form of a destination for span attributes.

use std::time::Duration;

use reqwest::{RequestBuilder, Response, StatusCode, Url};

/// A client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client")]
pub struct ClientError(#[source] reqwest::Error);

/// A client trusting a CA bundle could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CaBundleError {
    /// The bundle holds no PEM certificate.
    #[error("the CA bundle holds no PEM certificate")]
    Empty,
    /// A certificate in the bundle cannot be read.
    #[error("the CA bundle holds a certificate that cannot be read")]
    Invalid(#[source] reqwest::Error),
    /// The client itself could not be built.
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// Installs rustls's `ring` provider for the process (once; later calls do nothing).
/// Building a rustls client without a provider panics, so every client goes through
/// [`client`]. The same function the OTLP HTTP exporter's set-up calls.
pub use floe_telemetry::install_crypto_provider;

/// A client whose requests time out after `timeout` (connecting after at most 10 s).
///
/// # Errors
/// When the TLS set-up fails.
pub fn client(timeout: Duration) -> Result<reqwest::Client, ClientError> {
    builder(timeout).build().map_err(ClientError)
}

/// The settings every floe client shares: the `ring` provider, the timeouts, the agent.
fn builder(timeout: Duration) -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("floe/", env!("CARGO_PKG_VERSION")))
}

/// A client like [`client`] that also trusts the PEM certificates in `ca_bundle` (a
/// private CA, such as a Kubernetes cluster's `ca.crt`), on top of the default roots.
///
/// # Errors
/// When the bundle holds no valid PEM certificate, or the TLS set-up fails.
pub fn client_with_ca(
    timeout: Duration,
    ca_bundle: &[u8],
) -> Result<reqwest::Client, CaBundleError> {
    let certificates =
        reqwest::Certificate::from_pem_bundle(ca_bundle).map_err(CaBundleError::Invalid)?;
    if certificates.is_empty() {
        return Err(CaBundleError::Empty);
    }
    let with_roots = certificates
        .into_iter()
        .fold(builder(timeout), reqwest::ClientBuilder::add_root_certificate);
    Ok(with_roots.build().map_err(ClientError)?)
}

/// The part of a URL that is safe to record: `host[:port]`, never user info, path or
/// query (webhook URLs carry their secret in the path).
///
/// # Examples
/// ```
/// use floe_core::http::safe_destination;
/// assert_eq!(safe_destination("https://bot:pw@hooks.slack.com/services/T/B/X"), "hooks.slack.com");
/// assert_eq!(safe_destination("http://127.0.0.1:9093/api/v2/alerts"), "127.0.0.1:9093");
/// assert_eq!(safe_destination("not a url"), "<invalid url>");
/// ```
pub fn safe_destination(url: &str) -> String {
    match Url::parse(url) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => "<no host>".to_owned(),
        },
        Err(_) => "<invalid url>".to_owned(),
    }
}

/// Whether `url` points at this machine (127.0.0.0/8, `::1` or `localhost`).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(domain)) => domain == "localhost",
        None => false,
    }
}

/// How often and how patiently to retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The wait before the first retry; doubled each time.
    pub initial_backoff: Duration,
    /// The longest wait, `Retry-After` included.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
        }
    }
}

/// An attempt that failed in a retryable way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryEvent {
    /// The attempt that failed (1 for the first).
    pub attempt: u32,
    /// The status it got, or `None` for a connection error.
    pub status: Option<u16>,
    /// How long until the next attempt.
    pub backoff: Duration,
}

impl RetryEvent {
    /// The attributes of the span event a plugin records for this retry: its category's
    /// attempt key (`alert.attempt`, `secrets.attempt`, ...) and, when the peer answered,
    /// `http.response.status_code`.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// use floe_core::http::RetryEvent;
    /// use floe_core::telemetry::attr;
    ///
    /// let event = RetryEvent { attempt: 1, status: Some(429), backoff: Duration::ZERO };
    /// let attributes = event.attributes(attr::SECRETS_ATTEMPT);
    /// assert_eq!(attributes[0].key, attr::SECRETS_ATTEMPT);
    /// assert_eq!(attributes[1].value, opentelemetry::Value::I64(429));
    /// ```
    pub fn attributes(&self, attempt_key: opentelemetry::Key) -> Vec<opentelemetry::KeyValue> {
        let mut out = vec![opentelemetry::KeyValue::new(attempt_key, i64::from(self.attempt))];
        if let Some(status) = self.status {
            out.push(opentelemetry::KeyValue::new(
                crate::telemetry::attr::HTTP_RESPONSE_STATUS_CODE,
                i64::from(status),
            ));
        }
        out
    }
}

/// The final outcome of [`send_with_retry`]: the last response (any status) or the last
/// transport error, and how many attempts were made.
#[derive(Debug)]
pub struct Sent {
    /// The last response, or the last transport error.
    pub result: Result<Response, reqwest::Error>,
    /// Attempts made.
    pub attempts: u32,
}

/// Whether an answer may be retried: 429 and 503 say "later", and a refused connection
/// never reached the peer. Timeouts and other statuses are not retried: the peer may
/// already have acted on the request.
pub fn is_retryable(result: &Result<Response, reqwest::Error>) -> bool {
    match result {
        Ok(response) => matches!(
            response.status(),
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
        ),
        Err(error) => error.is_connect(),
    }
}

/// Sends the request `build` makes, retrying per `policy` while [`is_retryable`] holds;
/// `on_retry` sees each retry (plugins add it to their span as an event). A
/// `Retry-After` in seconds is honoured up to `max_backoff`.
pub async fn send_with_retry(
    policy: &RetryPolicy,
    build: impl Fn() -> RequestBuilder,
    mut on_retry: impl FnMut(RetryEvent),
) -> Sent {
    let mut backoff = policy.initial_backoff;
    let mut attempt = 1;
    loop {
        let result = build().send().await;
        if attempt >= policy.max_attempts.max(1) || !is_retryable(&result) {
            return Sent { result, attempts: attempt };
        }
        let status = result.as_ref().ok().map(|r| r.status().as_u16());
        let retry_after = result
            .as_ref()
            .ok()
            .and_then(|r| r.headers().get(reqwest::header::RETRY_AFTER))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let wait = retry_after.unwrap_or(backoff).min(policy.max_backoff);
        on_retry(RetryEvent { attempt, status, backoff: wait });
        tokio::time::sleep(wait).await;
        backoff = (backoff * 2).min(policy.max_backoff);
        attempt += 1;
    }
}

/// A configured endpoint URL that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointError {
    /// The text is not a URL (the message never repeats it: it may hold a credential).
    #[error("the url is not valid: {0}")]
    Invalid(#[source] url::ParseError),
    /// Not `http` or `https`.
    #[error("the url of {destination} has scheme {scheme:?}; expected https")]
    UnsupportedScheme {
        /// The safe form of the URL.
        destination: String,
        /// The scheme found.
        scheme: String,
    },
    /// Plain HTTP to a host that is not this machine, without the explicit opt-in.
    #[error(
        "the url of {destination} uses plain http: use https, or set allow_insecure_http for a trusted network"
    )]
    Insecure {
        /// The safe form of the URL.
        destination: String,
    },
}

/// Parses an endpoint URL from config and checks its transport: `https`, or plain `http`
/// to a loopback address, or plain `http` anywhere when `allow_insecure_http` is set.
///
/// # Errors
/// When the URL is not valid, not HTTP(S), or plain HTTP that is not allowed.
///
/// # Examples
/// ```
/// use floe_core::http::{EndpointError, parse_endpoint};
/// assert!(parse_endpoint("https://marquez.example.com", false).is_ok());
/// assert!(parse_endpoint("http://127.0.0.1:5000", false).is_ok());
/// assert!(matches!(
///     parse_endpoint("http://marquez.example.com", false),
///     Err(EndpointError::Insecure { .. })
/// ));
/// assert!(parse_endpoint("http://marquez.example.com", true).is_ok());
/// ```
pub fn parse_endpoint(url: &str, allow_insecure_http: bool) -> Result<Url, EndpointError> {
    let parsed = Url::parse(url).map_err(EndpointError::Invalid)?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if allow_insecure_http || is_loopback(&parsed) => Ok(parsed),
        "http" => Err(EndpointError::Insecure { destination: safe_destination(url) }),
        other => Err(EndpointError::UnsupportedScheme {
            destination: safe_destination(url),
            scheme: other.to_owned(),
        }),
    }
}

/// The longest excerpt of an error answer [`answer_excerpt`] keeps.
pub const EXCERPT_MAX: usize = 200;

/// The first non-empty line of an error answer's body, sanitized and cut to
/// [`EXCERPT_MAX`] characters: enough to say why a peer refused a request (Slack's
/// `invalid_blocks`, Alertmanager's `invalid label set`) without copying a large or
/// sensitive body into an error.
pub async fn answer_excerpt(response: Response) -> String {
    if response.status() == StatusCode::NO_CONTENT {
        return String::new();
    }
    let body = response.bytes().await.unwrap_or_default();
    let text = String::from_utf8_lossy(&body[..body.len().min(4 * EXCERPT_MAX)]);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    crate::telemetry::sanitize_with_max_len(line, EXCERPT_MAX).as_str().to_owned()
}
