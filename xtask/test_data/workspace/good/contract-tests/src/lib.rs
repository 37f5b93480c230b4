//! The fixture's contract suite.

/// One plugin's row.
pub struct Row {
    /// The package.
    pub package: &'static str,
    /// A real operation that succeeds.
    pub succeed: fn(),
    /// One that fails with `secret` planted.
    pub fail: fn(&str),
}

/// Checks a failure ended as an error; reads statuses, writes none.
pub fn failure_contract(spans: &[opentelemetry_sdk::trace::SpanData]) {
    let errors = spans.iter().filter(|s| matches!(s.status, opentelemetry::trace::Status::Error { .. })).count();
    assert!(errors > 0);
}
