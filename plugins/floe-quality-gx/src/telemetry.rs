//! Spans emitted by the Great Expectations-compatible quality provider.
//!
//! Failed checks are a result, not an exception: `quality.run_checks` and
//! `quality.run_suite` end `Ok` with the pass and fail counts unless the run itself failed
//! (an unsupported or malformed expectation, a database or table that cannot be read), in
//! which case they end as errors with the sanitized cause.
//!
//! ## Spans
//! - `quality.run_checks`: one per call, over every suite.
//! - `quality.validate_expectations`: one per suite, all before anything runs; an
//!   unsupported expectation type ends it as an error naming the types.
//! - `quality.run_suite`: one per suite, with a `quality.check` event per expectation.
//! - `quality.health_check`: whether the database opens and answers; unhealthy ends as an
//!   error.
//!
//! ## Attributes
//! - `quality.provider` (`great_expectations`), `quality.suites_count`,
//!   `quality.suite_name`, `quality.checks_count`, `quality.pass_count`,
//!   `quality.fail_count`, `quality.rows_checked` (the table's rows, summed over suites on
//!   `run_checks`).
//! - On `quality.check` events: `quality.check_name`, `quality.check_passed`,
//!   `quality.failing_rows` (the unexpected count).
//!
//! ## Never recorded
//! - Values of unexpected rows (`partial_unexpected_list` stays in the validation result),
//!   expectation arguments (value sets, patterns, bounds), SQL text, and the database path
//!   beyond its file name: a database error quotes its first line only, with the path and
//!   the suite's string arguments removed.
//! - Known gap: that first line is DuckDB's own, and some of DuckDB's errors quote a value
//!   of the data (a conversion error: `Could not convert string '<value>' to DOUBLE`); such
//!   a value reaches the span status, sanitized (credentials redacted) but not removed
//!   (`tests/it/tracing.rs`, the database error quoting a credential in the data).

pub use floe_core::telemetry::ops::QualityOp;

/// The tracer every span of this plugin comes from.
pub const TRACER_NAME: &str = "floe.quality.gx";

/// The value of `quality.provider`.
pub const PROVIDER: &str = "great_expectations";
