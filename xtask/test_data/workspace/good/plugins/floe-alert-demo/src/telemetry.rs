//! Spans emitted by the demo alert plugin.
//!
//! ## Spans
//! - `alert.send`: one per delivery.
//! ## Attributes
//! - `alert.channel`.
//! ## Never recorded
//! - The webhook URL.

pub const TRACER_NAME: &str = "floe.alert.demo";

pub use floe_core::telemetry::ops::AlertOp;
