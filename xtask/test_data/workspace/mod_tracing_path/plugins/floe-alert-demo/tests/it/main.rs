//! Integration tests of the demo alert plugin; `mod tracing` is read from another file,
//! so tests/it/tracing.rs is not what runs.

mod support;
#[path = "other_tracing.rs"]
mod tracing;
