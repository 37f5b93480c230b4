//! Integration tests of the demo alert plugin.

mod delivery;
mod support;
mod tracing;
