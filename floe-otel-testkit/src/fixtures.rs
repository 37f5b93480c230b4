//! rstest fixtures.
//!
//! ```
//! use floe_otel_testkit::{Capture, expect, fixtures::spans};
//! use rstest::rstest;
//!
//! #[rstest]
//! fn records_a_span(spans: Capture) {
//!     # use floe_telemetry::{DomainSpan, Operation};
//!     # #[derive(Clone, Copy)] struct Op;
//!     # impl Operation for Op { fn span_name(self) -> &'static str { "demo.op" } }
//!     DomainSpan::start("floe.demo", Op).succeed();
//!     spans.assert_one(expect::span("demo.op").ok());
//! }
//! ```

use rstest::fixture;

use crate::Capture;

/// A capture attached to the test's thread: spans made on that thread (and in
/// `#[tokio::test]` bodies, which run on it) are captured.
#[fixture]
pub fn spans() -> Capture {
    Capture::start()
}

/// A capture that is not attached: for work spread over a multi-thread runtime, wrap each
/// spawned future with [`Capture::bind`].
#[fixture]
pub fn detached_spans() -> Capture {
    Capture::detached()
}

/// A credential with the testkit sentinel, different for every test, for secret-leak
/// checks that do not need proptest.
#[fixture]
pub fn planted_secret() -> String {
    use opentelemetry_sdk::trace::IdGenerator as _;
    let random = opentelemetry_sdk::trace::RandomIdGenerator::default().new_trace_id();
    format!("{}-{random}", crate::strategy::SENTINEL)
}

/// A contract violation for alert-channel tests: contract `orders_contract` 2.1.0, a
/// `critical` `schema_drift` on model `fct_orders`, at a fixed time
/// (2026-01-15T09:30:00Z), with one detail.
///
/// ```
/// let violation = floe_otel_testkit::fixtures::contract_violation();
/// assert_eq!(violation.contract_name, "orders_contract");
/// ```
#[cfg(feature = "floe")]
#[fixture]
pub fn contract_violation() -> floe_core::plugin::categories::ContractViolation {
    use floe_core::plugin::categories::{ContractViolation, Severity};
    ContractViolation {
        contract_name: "orders_contract".to_owned(),
        contract_version: "2.1.0".to_owned(),
        violation_type: "schema_drift".to_owned(),
        severity: Severity::Critical,
        message: "column amount changed type from DECIMAL(10,2) to VARCHAR".to_owned(),
        affected_model: Some("fct_orders".to_owned()),
        timestamp: std::time::UNIX_EPOCH + std::time::Duration::from_mins(29_474_490),
        details: std::collections::BTreeMap::from([(
            "column".to_owned(),
            serde_json::Value::from("amount"),
        )]),
    }
}
