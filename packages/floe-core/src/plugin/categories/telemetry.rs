//! Telemetry backends. They are the telemetry pipeline: never traced (that would loop).

use super::CategoryError;
use crate::telemetry::ExporterConfig;

/// Where telemetry goes.
pub trait TelemetryBackend {
    /// The plugin's error.
    type Error: CategoryError;

    /// The exporter configuration.
    fn exporter_config(&self) -> ExporterConfig;
    /// Helm values for deploying the backend's collector side.
    fn helm_values(&self) -> serde_json::Value;
    /// Checks the backend accepts telemetry.
    fn validate_connection(&self) -> impl Future<Output = Result<(), Self::Error>> + Send;
}
