//! Spans emitted by the dbt quality provider.
//!
//! Failed checks are a result, not an exception: `quality.run_checks` and
//! `quality.run_suite` end `Ok` with the pass and fail counts unless the run itself failed
//! (a suite with an unsupported check type, a check the project does not define, dbt that
//! cannot run or connect), in which case they end as errors with the sanitized cause. The
//! `dbt test` command span under a suite is `Ok` too when its only failures are failing
//! tests, and so are those tests' `dbt.node` spans (with `dbt.node.status = fail`).
//!
//! ## Spans
//! - `quality.run_checks`: one per call, over every suite.
//! - `quality.validate_expectations`: one per suite, all before anything runs; an
//!   unsupported check type ends it as an error naming the types.
//! - `quality.run_suite`: one per suite, with a `quality.check` event per check; its
//!   children are the `dbt test` and the `dbt show` (row count) commands.
//! - `dbt.run_command` and `dbt.node`: the dbt commands and their nodes.
//! - `quality.health_check`: whether dbt and the project are there; unhealthy ends as an
//!   error.
//!
//! ## Attributes
//! - `quality.provider` (`dbt`), `quality.suites_count`, `quality.suite_name`,
//!   `quality.checks_count`, `quality.pass_count`, `quality.fail_count`,
//!   `quality.rows_checked` (the model's rows, summed over suites on `run_checks`).
//! - On `quality.check` events: `quality.check_name`, `quality.check_passed`,
//!   `quality.failing_rows`.
//! - The dbt attributes of `floe_dbt` on the command and node spans.
//!
//! ## Never recorded
//! - Values of failing rows, SQL text (the tests' and the row count's), `--vars`, and the
//!   environment handed to dbt.

pub use floe_core::telemetry::ops::QualityOp;

/// The tracer every span of this plugin comes from.
pub const TRACER_NAME: &str = "floe.quality.dbt";

/// The value of `quality.provider`.
pub const PROVIDER: &str = "dbt";
