//! Health checks every category shares: a check runs in its own span, and an unhealthy
//! answer ends that span as an error, never as `Ok` with a "failed" attribute.

use crate::KeyValue;
use crate::plugin::HealthStatus;
use crate::telemetry::{Operation, in_span, sanitize_error_message};

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
