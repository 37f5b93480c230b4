//! A telemetry backend: excluded from tracing by policy, so no tracer and no tracing test.

use floe_core::plugin::{PluginCategory, PluginMetadata};

/// What the plugin is; no tracer name.
pub static METADATA: PluginMetadata = PluginMetadata::new(
    "floe-telemetry-console",
    "console",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::TelemetryBackend,
    "Prints spans.",
);
