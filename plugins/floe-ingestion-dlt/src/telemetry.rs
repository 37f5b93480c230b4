//! Spans emitted by the dlt ingestion plugin.
//!
//! ## Spans
//! - `ingestion.create_pipeline`: validating a pipeline's source and destination with dlt
//!   and creating its working directory.
//! - `ingestion.run`: one pipeline run, every attempt included; each transient failure that
//!   is retried is an `ingestion.retry` event; a permanent failure, or a transient one on
//!   the last attempt, ends it as `Error`.
//! - `egress.list_sinks`, `egress.create_sink`: the sinks known to the plugin.
//! - `egress.write`: rows written to a sink by a dlt run.
//!
//! ## Attributes
//! - `ingestion.pipeline`, `ingestion.source_type`, `ingestion.destination` on the
//!   `ingestion.*` spans; `ingestion.rows_loaded`, `ingestion.bytes_loaded`,
//!   `ingestion.load_id`, `ingestion.attempts` on a finished run;
//!   `ingestion.error_category` on a failed one; on `ingestion.retry`:
//!   `ingestion.attempts`, `ingestion.error_category`.
//! - `egress.sink`, `egress.sink_kind` on `egress.create_sink` and `egress.write`;
//!   `egress.rows_written`, `egress.load_id` on a finished write.
//!
//! ## Never recorded
//! - Source credentials (SQL connection strings, REST API tokens), source settings (URLs
//!   can carry tokens), the rows themselves, dlt's raw output.

pub use floe_core::telemetry::ops::{EgressOp, IngestionOp};

/// The tracer of this plugin.
pub const TRACER_NAME: &str = "floe.ingestion.dlt";
