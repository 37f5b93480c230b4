//! Telemetry of the fixture's floe-core.

mod span;

pub use span::{DomainSpan, in_span, record_failure};
