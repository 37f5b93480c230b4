//! Spans emitted by the dbt Fusion runner.
//!
//! ## Spans
//! - `dbt.run_command`: one per command, run by the Fusion CLI when it is found, else by
//!   dbt-core (the fallback, recorded on the span). A command that fails ends as an error
//!   with a sanitized description naming the failing nodes or quoting the CLI's error (the
//!   `"level": "error"` events of its `--log-format json` output).
//! - `dbt.node`: one child per node of the command's `run_results.json`.
//! - `dbt.health_check`: whether the engine that would run (Fusion, else dbt-core) and the
//!   project are there; unhealthy ends as an error.
//!
//! ## Attributes
//! - `dbt.command`, `dbt.engine` (`fusion` or, on fallback, `dbt-core`), `dbt.target`,
//!   `dbt.nodes_count`, `dbt.failures` on the command span.
//! - `dbt.fallback` (`true` when dbt-core ran because the Fusion CLI was not found, `false`
//!   when Fusion ran) and `dbt.fallback_reason` (why, without any directory).
//! - `dbt.node.unique_id`, `dbt.node.status`, `dbt.node.execution_time`,
//!   `dbt.node.failures` on node spans.
//!
//! ## Never recorded
//! - The environment handed to the CLI (profile credentials), `--vars`, SQL text and raw
//!   output: quoted text is scrubbed of the environment's values, then sanitized.

pub use floe_core::telemetry::ops::DbtOp;

/// The tracer every span of this plugin comes from.
pub const TRACER_NAME: &str = "floe.dbt.fusion";

/// The Fusion CLI's executable name, looked up on `PATH` unless configured.
pub const FUSION_EXECUTABLE: &str = "dbtf";
