//! Tests of the Great Expectations-compatible provider against real DuckDB data.

mod behaviour;
mod judge;
mod parity;
mod peer;
mod tracing;
