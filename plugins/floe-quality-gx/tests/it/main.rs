//! Tests of the Great Expectations-compatible provider against real DuckDB data.

mod behaviour;
mod peer;
mod tracing;
