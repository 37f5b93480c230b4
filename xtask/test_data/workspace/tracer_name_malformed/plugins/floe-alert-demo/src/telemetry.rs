//! Spans emitted by the demo alert plugin, under a tracer name of the wrong shape.

pub const TRACER_NAME: &str = "DemoTracer";

pub use floe_core::telemetry::ops::AlertOp;
