//! Tests of the dbt-core runner against the real dbt-core and dbt-duckdb. dbt costs
//! seconds per command, so the commands run once per test binary (`scenario`) and the
//! tests read what they recorded.

mod behaviour;
mod peer;
mod scenario;
mod tracing;
