//! Telemetry of the fixture's floe-core.

pub mod attr;
mod span;

pub use span::{DomainSpan, in_span, record_failure};
