//! One module per plugin: its contract row.

pub(crate) mod compute_duckdb;
