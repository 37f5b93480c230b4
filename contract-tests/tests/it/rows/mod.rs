//! One module per plugin: its contract row.

pub(crate) mod compute_duckdb;
pub(crate) mod dbt_core;
pub(crate) mod dbt_fusion;
pub(crate) mod quality_dbt;
pub(crate) mod quality_gx;
