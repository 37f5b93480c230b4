//! Driving dbt, shared by every plugin that runs it (the dbt runners and the dbt quality
//! provider): plugins never depend on each other, so the process, its artifacts and its
//! node spans are handled here once.
//!
//! - [`DbtCli`] runs one command (`dbt-core` or Fusion) with a timeout, in a
//!   `dbt.run_command` span, reads `run_results.json` into a
//!   [`DbtCommandResult`](crate::plugin::categories::DbtCommandResult), and emits one
//!   `dbt.node` child span per node ([`record_nodes`]), so a trace shows which model
//!   failed. Text from dbt reaches a span or an error only scrubbed of the environment's
//!   secret values and sanitized.
//! - [`Sqlfluff`] lints the project (dbt has no lint command).
//! - [`RunResults`] and [`Manifest`] are dbt's artifacts, read into the fields floe uses.
//! - [`DbtSettings`] is how a manifest says where dbt and the project are.

mod artifacts;
mod cli;
mod lint;
mod nodes;
mod settings;
#[cfg(test)]
mod tests;

pub use artifacts::{
    ArtifactError, DependsOn, Manifest, ManifestNode, RunResult, RunResults, TestMetadata,
};
pub use cli::{DEFAULT_TIMEOUT, DbtCli, DbtError, Engine};
pub use lint::Sqlfluff;
pub use nodes::{TestFailures, record_nodes};
pub use settings::DbtSettings;

use opentelemetry::KeyValue;

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
