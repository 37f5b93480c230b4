//! Spans emitted by the Cube semantic-layer plugin.
//!
//! ## Spans
//! - `semantic.generate_schema` (internal): one per data-model generation from a dbt
//!   manifest; a manifest that cannot be turned into cubes ends it as an error.
//! - `semantic.health_check` (client): `GET /readyz` on the Cube server; any answer but
//!   200 with Cube's `{"health":"HEALTH"}`, or no answer within the timeout, ends it as an
//!   error.
//!
//! ## Attributes
//! - `semantic.provider` = `cube`, `semantic.cubes_count` (cubes generated),
//!   `semantic.server` (the server's `host[:port]`), `http.response.status_code`.
//!
//! ## Never recorded
//! - The server URL itself (it may carry user info), the API secret and the data-source
//!   password (the plugin only ever holds references to the Kubernetes Secrets holding
//!   them), SQL of the generated cubes.

pub use floe_core::telemetry::ops::SemanticOp;

/// The tracer of this plugin.
pub const TRACER_NAME: &str = "floe.semantic.cube";

/// The value of `semantic.provider`.
pub const PROVIDER: &str = "cube";
