//! The fixture's floe-core: the platform, re-exporting the span layer.

pub use floe_telemetry as telemetry;
