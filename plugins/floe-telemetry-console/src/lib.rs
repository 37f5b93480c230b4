//! floe-telemetry-console: the console span exporter as floe's telemetry backend.
//!
//! The plugin configures floe-core's console exporter (one readable line per finished
//! span, on standard error or standard output); it has no peer, so its connection check is
//! trivially healthy. Like every telemetry backend it is excluded from tracing by policy:
//! it declares no tracer and emits no span of its own, because tracing the exporter would
//! loop.

pub mod config;

use floe_core::plugin::categories::TelemetryBackend;
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginMetadata, ResolvedConfig,
};
use floe_core::telemetry::{ConsoleTarget, ExporterConfig};

pub use config::ConsoleConfig;

/// The plugin's metadata: no tracer name (telemetry backends are excluded by policy).
pub static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "console",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::TelemetryBackend,
    "Console span exporter: one readable line per finished span on stderr or stdout",
)
.with_config_schema(config::schema);

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let config: ConsoleConfig = config.decode("telemetry_backend/console")?;
    Ok(Box::new(ConsoleTelemetryPlugin::new(config)))
}

floe_core::register_plugin!(METADATA, construct);

/// The console stream could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleTelemetryError {
    /// Writing to the console stream failed.
    #[error("cannot write to {stream}")]
    Write {
        /// `stderr` or `stdout`.
        stream: &'static str,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The console telemetry backend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConsoleTelemetryPlugin {
    config: ConsoleConfig,
}

impl ConsoleTelemetryPlugin {
    /// The backend for `config`.
    pub fn new(config: ConsoleConfig) -> Self {
        Self { config }
    }

    /// The stream span lines go to.
    pub fn target(&self) -> ConsoleTarget {
        self.config.target
    }

    fn stream_name(self) -> &'static str {
        match self.config.target {
            ConsoleTarget::Stderr => "stderr",
            ConsoleTarget::Stdout => "stdout",
        }
    }
}

impl Plugin for ConsoleTelemetryPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(serde_json::json!({ "exporter": self.exporter_config() }))
    }
}

impl Lifecycle for ConsoleTelemetryPlugin {
    async fn health_check(&self) -> HealthStatus {
        HealthStatus::Healthy
    }
}

impl TelemetryBackend for ConsoleTelemetryPlugin {
    type Error = ConsoleTelemetryError;

    fn exporter_config(&self) -> ExporterConfig {
        ExporterConfig::Console { target: self.config.target }
    }

    /// Workloads deployed by the platform's charts print their spans the same way: the
    /// values set the standard `OTEL_TRACES_EXPORTER=console` for every floe container.
    fn helm_values(&self) -> serde_json::Value {
        serde_json::json!({
            "telemetry": {
                "exporter": "console",
                "target": self.stream_name(),
                "env": [{ "name": "OTEL_TRACES_EXPORTER", "value": "console" }],
            }
        })
    }

    /// There is no peer: the check only flushes the target stream, which fails when the
    /// stream is closed.
    async fn validate_connection(&self) -> Result<(), ConsoleTelemetryError> {
        use std::io::Write as _;
        let flushed = match self.config.target {
            ConsoleTarget::Stderr => std::io::stderr().flush(),
            ConsoleTarget::Stdout => std::io::stdout().flush(),
        };
        flushed
            .map_err(|source| ConsoleTelemetryError::Write { stream: self.stream_name(), source })
    }
}
