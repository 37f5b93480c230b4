//! The fixture's floe-telemetry: the domain span and the one writer of error statuses.

pub mod attr;
mod span;

pub use span::{DomainSpan, in_span, record_failure};

#[cfg(test)]
mod tests;
