//! Tests of the dbt quality provider against the real dbt-core and dbt-duckdb. dbt costs
//! seconds per command, so the runs happen once per test binary (`scenario`).

mod behaviour;
mod peer;
mod scenario;
mod tracing;
