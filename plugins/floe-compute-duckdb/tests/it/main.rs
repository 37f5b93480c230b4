//! Tests of the DuckDB compute plugin, against real DuckDB (and dbt-duckdb for the
//! generated profile).

mod attach;
mod peer;
mod profile;
mod tracing;
