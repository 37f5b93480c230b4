//! Integration tests of the demo alert plugin; the tracing tests compile only with a
//! feature.

mod support;
#[cfg(feature = "tracing-tests")]
mod tracing;
