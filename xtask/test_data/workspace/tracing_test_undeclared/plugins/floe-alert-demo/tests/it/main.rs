//! Integration tests of the demo alert plugin; `mod tracing;` is missing, so tracing.rs
//! is never compiled.

mod support;
