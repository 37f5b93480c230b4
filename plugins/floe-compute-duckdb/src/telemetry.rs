//! Spans emitted by the DuckDB compute plugin.
//!
//! ## Spans
//! - `compute.generate_profile`: generating the dbt profile for a target.
//! - `compute.attach_catalog`: generating the SQL that attaches an Iceberg REST catalog; an
//!   option outside the allow-list, or a bad alias, ends it as an error.
//! - `compute.validate_connection` (client): opening the database and running SQL in it
//!   (the health check is this operation too); a database that cannot be opened, or a
//!   setting DuckDB rejects, ends it as an error.
//!
//! ## Attributes
//! - `compute.engine` (`duckdb`) on every span.
//! - `compute.db_path`: the database file name only (never its directory), or `:memory:`.
//! - `compute.target`: the dbt target of a generated profile.
//! - `compute.engine_version`: the version a connection check saw.
//! - `compute.catalog_alias`, `compute.option_names`: the alias and the allow-listed
//!   option names of an attachment.
//!
//! ## Never recorded
//! - SQL text (`compute.sql`): attach statements carry credentials.
//! - Attachment option values (`compute.option_value`): client secrets, tokens.
//! - Setting values (`compute.setting_value`): `secret_settings` are credentials; a
//!   database error that echoes one has it removed before it is sanitized.

pub use floe_core::telemetry::ops::ComputeOp;

/// The tracer every span of this plugin comes from.
pub const TRACER_NAME: &str = "floe.compute.duckdb";

/// The value of `compute.engine`.
pub const ENGINE: &str = "duckdb";
