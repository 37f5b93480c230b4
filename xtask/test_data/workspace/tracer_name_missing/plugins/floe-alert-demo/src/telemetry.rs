//! Spans emitted by the demo alert plugin; the tracer name is missing.

pub use floe_core::telemetry::ops::AlertOp;

pub const TRACER: &str = "floe.alert.demo";
