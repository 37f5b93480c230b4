//! Spans emitted by the Marquez lineage plugin.
//!
//! ## Spans
//! - `lineage.emit` (client): one per run event sent to `/api/v1/lineage`; each retry (429,
//!   503, refused connection) is a `lineage.retry` event; any answer but 2xx, or no
//!   answer, ends it as `Error`.
//! - `lineage.check_connection` (client): `GET /api/v1/namespaces`, also the health check.
//!
//! ## Attributes
//! - `lineage.job_name`, `lineage.event_type`, `lineage.run_id`, `lineage.namespace` on
//!   `lineage.emit`; `server.address`, `server.port`, `http.response.status_code` on both;
//!   on `lineage.retry`: `lineage.attempt`, `http.response.status_code`.
//!
//! ## Never recorded
//! - The API key, the URL's user info, the event body (facets can quote SQL and data).

pub use floe_core::telemetry::ops::LineageOp;

/// The tracer of this plugin.
pub const TRACER_NAME: &str = "floe.lineage.marquez";
