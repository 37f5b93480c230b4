//! One module per plugin.

pub(crate) mod alert_demo;
pub(crate) mod telemetry_console;
