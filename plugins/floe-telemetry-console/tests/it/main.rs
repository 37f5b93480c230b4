//! Tests of the console telemetry backend: its config, the lines really printed to the
//! configured stream by a child process, and that it emits no span of its own.

mod config;
mod no_spans;
mod stream;
