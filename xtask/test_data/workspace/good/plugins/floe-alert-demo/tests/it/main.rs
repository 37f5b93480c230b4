//! Integration tests of the demo alert plugin.

mod support;
mod tracing;
