//! Tracing alert deliveries the same way in every channel: the `alert.send`,
//! `alert.validate_config` and `alert.health_check` spans with their attributes, and
//! `alert.delivery_status` taken from the outcome.
//!
//! A channel supplies only what differs: how it talks to its peer, and its own error type
//! (which says, through [`DeliveryFailure`], whether the peer rejected the alert or could
//! not take it).

use std::error::Error;
use std::future::Future;

use opentelemetry::KeyValue;
use opentelemetry::trace::FutureExt as _;

use super::{ContractViolation, DeliveryReport, DeliveryStatus};
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

    /// Runs a configuration check inside an `alert.validate_config` span: the check a
    /// channel's constructor makes (so a refused configuration is a traced error), and
    /// its `validate_config`. The check's value (a parsed URL) is returned.
    ///
    /// # Errors
    /// `body`'s error, recorded on the span (sanitized).
    pub fn validate<T, E: Error>(&self, body: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
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
