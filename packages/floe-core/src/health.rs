//! Health checks every category shares: a check runs in its own span, and an unhealthy
//! answer ends that span as an error, never as `Ok` with a "failed" attribute.

use std::error::Error;
use std::future::Future;

use crate::KeyValue;
use crate::plugin::HealthStatus;
use crate::telemetry::{
    Operation, SpanRecorder, describe_error, in_span, in_span_async, sanitize_error_message,
};

/// A health check in a span for `op` (`dbt.health_check`, `quality.health_check`):
/// `Healthy` when there is no `problem`; otherwise `Unhealthy` with the sanitized reason,
/// and the span ends as an error.
pub fn traced_health(
    tracer_name: &str,
    op: impl Operation,
    attributes: Vec<KeyValue>,
    problem: Option<String>,
) -> HealthStatus {
    let reason = problem.map(|p| sanitize_error_message(&p));
    let recorded: Result<(), std::convert::Infallible> =
        in_span(tracer_name, op, attributes, |span| {
            if let Some(reason) = &reason {
                span.fail_soft("unhealthy", reason.clone());
            }
            Ok(())
        });
    let Ok(()) = recorded;
    match reason {
        None => HealthStatus::Healthy,
        Some(reason) => HealthStatus::Unhealthy { reason: reason.into_string() },
    }
}

/// A health check that talks to a peer, in a span for `op` (`secrets.health_check`,
/// `identity.health_check`): `check` runs with the span current (so a
/// [`crate::http::Peer`] call records its status on it) and returns `Err` when the peer
/// is not healthy. The span then ends as an error of type `unhealthy` with the sanitized
/// error chain ([`describe_error`]), which is also the returned reason.
///
/// # Examples
/// ```
/// use floe_core::health::traced_health_async;
/// use floe_core::telemetry::ops::SecretsOp;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let status = traced_health_async("floe.secrets.demo", SecretsOp::HealthCheck, vec![], |_span| async {
///     Err::<(), _>(std::io::Error::other("cannot list secrets"))
/// })
/// .await;
/// assert!(!status.is_healthy());
/// # });
/// ```
pub async fn traced_health_async<E, F, Fut>(
    tracer_name: &str,
    op: impl Operation,
    attributes: Vec<KeyValue>,
    check: F,
) -> HealthStatus
where
    E: Error,
    F: FnOnce(SpanRecorder) -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    let recorded: Result<HealthStatus, std::convert::Infallible> =
        in_span_async(tracer_name, op, attributes, |span| async move {
            Ok(match check(span.clone()).await {
                Ok(()) => HealthStatus::Healthy,
                Err(error) => {
                    let reason = describe_error(&error);
                    span.fail_soft("unhealthy", reason.clone());
                    HealthStatus::Unhealthy { reason: reason.into_string() }
                }
            })
        })
        .await;
    let Ok(status) = recorded;
    status
}
