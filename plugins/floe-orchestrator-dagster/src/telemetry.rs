//! Spans emitted by the Dagster orchestrator plugin, and by the definitions it generates.
//!
//! ## Spans
//! - `orchestrator.generate_definitions`: Dagster definitions code generated from the
//!   compiled artifacts (dbt models become assets).
//! - `orchestrator.validate_connection` (client): GraphQL `{ version }` posted to the
//!   webserver's `/graphql`; any answer but a version ends it as `Error`.
//! - `orchestrator.materialize`: assets materialized in process by the generated code.
//! - In the generated code (Python, same tracer name), children of the span that launched
//!   the run through the `floe/traceparent` run tag or `TRACEPARENT`:
//!   `orchestrator.asset_execution`, `orchestrator.io_store`, `orchestrator.io_load`.
//!
//! ## Attributes
//! - `orchestrator.name` on every span; `orchestrator.assets_count` on
//!   `orchestrator.generate_definitions` and `orchestrator.materialize`;
//!   `orchestrator.run_id` on `orchestrator.materialize` and the generated code's spans;
//!   `orchestrator.asset_key` on the generated code's spans; `server.address`,
//!   `server.port`, `http.response.status_code` on `orchestrator.validate_connection`.
//!
//! ## Never recorded
//! - The API token, the webserver URL's user info, asset values, model SQL.

pub use floe_core::telemetry::ops::OrchestratorOp;

/// The tracer of this plugin (and of the generated code's spans).
pub const TRACER_NAME: &str = "floe.orchestrator.dagster";
