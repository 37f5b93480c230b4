//! Bounded retries of the answers where retrying is safe (429, 503, a refused
//! connection), each retry reported to the caller.

use std::time::Duration;

use reqwest::{RequestBuilder, Response, StatusCode};

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
/// already have acted on the request (and a 401 or 403 retried is a lockout risk).
pub fn is_retryable(result: &Result<Response, reqwest::Error>) -> bool {
    match result {
        Ok(response) => is_retryable_status(response.status()),
        Err(error) => error.is_connect(),
    }
}

/// 429 and 503: the statuses that say "later" rather than "no".
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status, StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE)
}

/// The `Retry-After` of `response` when it is a number of seconds.
pub(crate) fn retry_after(response: &Response) -> Option<Duration> {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
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
        let hinted = result.as_ref().ok().and_then(retry_after);
        let wait = hinted.unwrap_or(backoff).min(policy.max_backoff);
        on_retry(RetryEvent { attempt, status, backoff: wait });
        tokio::time::sleep(wait).await;
        backoff = (backoff * 2).min(policy.max_backoff);
        attempt += 1;
    }
}
