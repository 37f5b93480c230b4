//! The fixture's floe-core: the platform, re-exporting the span layer, and a health check
//! every alert channel shares (so only the registry names its operation for a plugin).

pub use floe_telemetry as telemetry;

/// Health checks of alert channels.
pub mod alert {
    use crate::telemetry::ops::AlertOp;
    use crate::telemetry::in_span;

    /// What a health check found.
    pub enum HealthStatus {
        /// Up.
        Healthy,
        /// Down, and why.
        Unhealthy(String),
    }

    /// Runs `probe` in an `alert.health_check` span of `tracer_name`; a problem ends the
    /// span as a soft failure.
    pub fn health_check(tracer_name: &'static str, probe: impl FnOnce() -> Option<String>) -> HealthStatus {
        let problem = probe();
        let recorded: Result<(), std::convert::Infallible> = in_span(tracer_name, AlertOp::HealthCheck, [], |span| {
            if let Some(reason) = &problem {
                span.fail_soft("unhealthy", crate::telemetry::sanitize_error_message(reason));
            }
            Ok(())
        });
        let Ok(()) = recorded;
        problem.map_or(HealthStatus::Healthy, HealthStatus::Unhealthy)
    }
}
