//! Spans emitted by the dbt-core runner.
//!
//! ## Spans
//! - `dbt.run_command`: one per command (`compile`, `run`, `test`, `seed`, `show`, and
//!   `lint`, which is SQLFluff). A command dbt reports as failed (a failing test, a model
//!   that errors, a broken profile) ends as an error whose description names the failing
//!   nodes or quotes dbt's error, sanitized.
//! - `dbt.node`: one child per node of the command's `run_results.json` (per linted file
//!   for lint), so a trace shows which model or test failed; an erroring node and a failing
//!   test end as errors.
//! - `dbt.health_check`: whether the dbt executable and the project are there; unhealthy
//!   ends as an error.
//!
//! ## Attributes
//! - `dbt.command`, `dbt.engine` (`dbt-core`), `dbt.target`, `dbt.nodes_count`,
//!   `dbt.failures`, `dbt.lint_violations` on the command span.
//! - `dbt.node.unique_id`, `dbt.node.status`, `dbt.node.execution_time`,
//!   `dbt.node.failures` on node spans.
//!
//! ## Never recorded
//! - The environment handed to dbt (`env`: profile credentials), `--vars`, SQL text and
//!   compiled code, and raw tool output: quoted text is scrubbed of the environment's
//!   values, then sanitized, first.

pub use floe_core::telemetry::ops::DbtOp;

/// The tracer every span of this plugin comes from.
pub const TRACER_NAME: &str = "floe.dbt.core";
