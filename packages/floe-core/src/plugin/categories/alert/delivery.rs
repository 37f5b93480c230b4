//! Tracing alert deliveries the same way in every channel: the `alert.send`,
//! `alert.validate_config` and `alert.health_check` spans with their attributes,
//! `alert.delivery_status` taken from the outcome, one `alert.retry` event per retry, and
//! how an HTTP answer maps to a delivery outcome.
//!
//! A channel supplies only what differs: how it talks to its peer, and its own error type
//! (which says, through [`DeliveryFailure`], whether the peer rejected the alert or could
//! not take it).

use std::error::Error;
use std::future::Future;

use opentelemetry::KeyValue;
use opentelemetry::trace::FutureExt as _;
use reqwest::{RequestBuilder, Response};

use super::{ContractViolation, DeliveryReport, DeliveryStatus};
use crate::http::{RetryEvent, RetryPolicy, answer_excerpt, send_with_retry};
use crate::plugin::HealthStatus;
use crate::telemetry::ops::AlertOp;
use crate::telemetry::{
    DomainSpan, SpanRecorder, attr, in_span, in_span_async, sanitize_error_message,
};

/// An alert channel's error that knows how the delivery ended.
pub trait DeliveryFailure: Error {
    /// [`DeliveryStatus::Rejected`] when the peer answered and refused the alert,
    /// [`DeliveryStatus::Failed`] otherwise (unreachable, timed out, a server error, a
    /// configuration that cannot work).
    fn delivery_status(&self) -> DeliveryStatus;
}

/// One alert channel as its spans show it: the tracer, the channel name, and the
/// destination in a safe form (a host, or a channel name; never a URL, an address or a
/// credential).
#[derive(Clone, Copy, Debug)]
pub struct AlertTarget<'a> {
    /// The plugin's tracer (`floe.alert.slack`).
    pub tracer_name: &'static str,
    /// `alert.channel` (`slack`).
    pub channel: &'static str,
    /// `alert.destination` (`hooks.slack.com`, `#data-alerts`).
    pub destination: &'a str,
}

impl AlertTarget<'_> {
    /// Runs one delivery of `violation` inside an `alert.send` span.
    ///
    /// `body` talks to the peer and returns how many attempts it took; the span gets
    /// `alert.channel`, `alert.severity`, `alert.destination`, `alert.contract_name`, the
    /// `extra` attributes, and `alert.delivery_status` from the outcome. An error ends the
    /// span as `Error` (sanitized) whatever its delivery status.
    ///
    /// # Errors
    /// `body`'s error, unchanged.
    pub async fn send<E, F, Fut>(
        &self,
        violation: &ContractViolation,
        extra: impl IntoIterator<Item = KeyValue>,
        body: F,
    ) -> Result<DeliveryReport, E>
    where
        E: DeliveryFailure,
        F: FnOnce(SpanRecorder) -> Fut,
        Fut: Future<Output = Result<u32, E>>,
    {
        let mut attributes = vec![
            KeyValue::new(attr::ALERT_CHANNEL, self.channel),
            KeyValue::new(attr::ALERT_SEVERITY, violation.severity.as_str()),
            KeyValue::new(attr::ALERT_DESTINATION, self.destination.to_owned()),
            KeyValue::new(attr::ALERT_CONTRACT_NAME, violation.contract_name.clone()),
        ];
        attributes.extend(extra);
        in_span_async(self.tracer_name, AlertOp::Send, attributes, |span| async move {
            let result = body(span.clone()).await;
            let status = match &result {
                Ok(_) => DeliveryStatus::Delivered,
                Err(error) => error.delivery_status(),
            };
            span.set_attribute(KeyValue::new(attr::ALERT_DELIVERY_STATUS, status.as_str()));
            result.map(|attempts| DeliveryReport {
                destination: self.destination.to_owned(),
                attempts,
            })
        })
        .await
    }

    /// Runs a configuration check inside an `alert.validate_config` span.
    ///
    /// # Errors
    /// `body`'s error, recorded on the span (sanitized).
    pub fn validate<E: Error>(&self, body: impl FnOnce() -> Result<(), E>) -> Result<(), E> {
        in_span(
            self.tracer_name,
            AlertOp::ValidateConfig,
            [KeyValue::new(attr::ALERT_CHANNEL, self.channel)],
            |_| body(),
        )
    }

    /// Runs a health check of the peer inside an `alert.health_check` span; anything but
    /// [`HealthStatus::Healthy`] ends the span as `Error` with the (sanitized) reason.
    pub async fn health_check<F, Fut>(&self, body: F) -> HealthStatus
    where
        F: FnOnce(SpanRecorder) -> Fut,
        Fut: Future<Output = HealthStatus>,
    {
        let span = DomainSpan::start_with(
            self.tracer_name,
            AlertOp::HealthCheck,
            [
                KeyValue::new(attr::ALERT_CHANNEL, self.channel),
                KeyValue::new(attr::ALERT_DESTINATION, self.destination.to_owned()),
            ],
        );
        let cx = span.context().clone();
        let status = body(span.recorder()).with_context(cx).await;
        match &status {
            HealthStatus::Healthy => span.succeed(),
            HealthStatus::Degraded { reason } => {
                span.fail_soft("degraded", sanitize_error_message(reason));
            }
            HealthStatus::Unhealthy { reason } => {
                span.fail_soft("unhealthy", sanitize_error_message(reason));
            }
        }
        status
    }
}

/// How an HTTP status ends a delivery: 2xx delivered; 4xx rejected, except 408 and 429,
/// which say "not now" rather than "no"; anything else failed.
///
/// # Examples
/// ```
/// use floe_core::plugin::categories::{DeliveryStatus, http_delivery_status};
/// assert_eq!(http_delivery_status(202), DeliveryStatus::Delivered);
/// assert_eq!(http_delivery_status(400), DeliveryStatus::Rejected);
/// assert_eq!(http_delivery_status(429), DeliveryStatus::Failed);
/// assert_eq!(http_delivery_status(503), DeliveryStatus::Failed);
/// ```
pub fn http_delivery_status(status: u16) -> DeliveryStatus {
    match status {
        200..=299 => DeliveryStatus::Delivered,
        408 | 429 => DeliveryStatus::Failed,
        400..=499 => DeliveryStatus::Rejected,
        _ => DeliveryStatus::Failed,
    }
}

/// Why an alert sent over HTTP was not delivered. Messages name the destination in its
/// safe form only; the transport error carries no URL.
#[derive(Debug, thiserror::Error)]
pub enum HttpDeliveryError {
    /// The peer answered 4xx.
    #[error("{destination} rejected the alert with status {status}{}", detail_suffix(.detail))]
    Rejected {
        /// The destination (host).
        destination: String,
        /// The HTTP status.
        status: u16,
        /// The start of the peer's answer, sanitized.
        detail: String,
    },
    /// The peer answered 5xx (or 408/429 after the last retry).
    #[error("{destination} failed to take the alert with status {status}")]
    Failed {
        /// The destination (host).
        destination: String,
        /// The HTTP status.
        status: u16,
    },
    /// No answer in time.
    #[error("{destination} did not answer in time")]
    TimedOut {
        /// The destination (host).
        destination: String,
        /// The transport error (without its URL).
        #[source]
        source: reqwest::Error,
    },
    /// The peer could not be reached.
    #[error("cannot reach {destination}")]
    Unreachable {
        /// The destination (host).
        destination: String,
        /// The transport error (without its URL).
        #[source]
        source: reqwest::Error,
    },
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() { String::new() } else { format!(": {detail}") }
}

impl DeliveryFailure for HttpDeliveryError {
    fn delivery_status(&self) -> DeliveryStatus {
        match self {
            Self::Rejected { .. } => DeliveryStatus::Rejected,
            Self::Failed { .. } | Self::TimedOut { .. } | Self::Unreachable { .. } => {
                DeliveryStatus::Failed
            }
        }
    }
}

/// Sends the request `build` makes with [`send_with_retry`], recording an `alert.retry`
/// event per retry and `http.response.status_code` on `span`; a 2xx answer is returned
/// with the number of attempts, anything else becomes an [`HttpDeliveryError`].
///
/// # Errors
/// When the final answer is not 2xx, or the peer could not be reached.
pub async fn deliver_http(
    span: &SpanRecorder,
    policy: &RetryPolicy,
    destination: &str,
    build: impl Fn() -> RequestBuilder,
) -> Result<(Response, u32), HttpDeliveryError> {
    let sent = send_with_retry(policy, build, |event| {
        span.add_event(attr::ALERT_RETRY_EVENT, retry_attributes(&event));
    })
    .await;
    let destination = destination.to_owned();
    let response = match sent.result {
        Ok(response) => response,
        Err(error) if error.is_timeout() => {
            return Err(HttpDeliveryError::TimedOut { destination, source: error.without_url() });
        }
        Err(error) => {
            return Err(HttpDeliveryError::Unreachable {
                destination,
                source: error.without_url(),
            });
        }
    };
    let status = response.status();
    span.set_attribute(KeyValue::new(attr::HTTP_RESPONSE_STATUS_CODE, i64::from(status.as_u16())));
    match http_delivery_status(status.as_u16()) {
        DeliveryStatus::Delivered => Ok((response, sent.attempts)),
        DeliveryStatus::Rejected => {
            let detail = answer_excerpt(response).await;
            Err(HttpDeliveryError::Rejected { destination, status: status.as_u16(), detail })
        }
        DeliveryStatus::Failed => {
            Err(HttpDeliveryError::Failed { destination, status: status.as_u16() })
        }
    }
}

fn retry_attributes(event: &RetryEvent) -> Vec<KeyValue> {
    let mut attributes = vec![KeyValue::new(attr::ALERT_ATTEMPT, i64::from(event.attempt))];
    if let Some(status) = event.status {
        attributes.push(KeyValue::new(attr::HTTP_RESPONSE_STATUS_CODE, i64::from(status)));
    }
    attributes
}

#[cfg(test)]
mod tests {
    use super::{DeliveryFailure, DeliveryStatus, HttpDeliveryError, http_delivery_status};

    #[test]
    fn statuses_map_to_delivery_outcomes() {
        use DeliveryStatus::{Delivered, Failed, Rejected};
        let outcomes: Vec<_> = [200, 202, 204, 301, 400, 401, 404, 408, 413, 429, 500, 503]
            .into_iter()
            .map(|s| (s, http_delivery_status(s)))
            .collect();
        assert_eq!(
            outcomes,
            [
                (200, Delivered),
                (202, Delivered),
                (204, Delivered),
                (301, Failed),
                (400, Rejected),
                (401, Rejected),
                (404, Rejected),
                (408, Failed),
                (413, Rejected),
                (429, Failed),
                (500, Failed),
                (503, Failed),
            ]
        );
    }

    #[test]
    fn a_rejection_names_the_destination_status_and_detail() {
        let error = HttpDeliveryError::Rejected {
            destination: "hooks.example.com".into(),
            status: 400,
            detail: "invalid_blocks".into(),
        };
        assert_eq!(error.delivery_status(), DeliveryStatus::Rejected);
        assert_eq!(
            error.to_string(),
            "hooks.example.com rejected the alert with status 400: invalid_blocks"
        );
        let failed = HttpDeliveryError::Failed { destination: "h".into(), status: 503 };
        assert_eq!(failed.delivery_status(), DeliveryStatus::Failed);
    }
}
