//! floe-otel-testkit: isolated span capture, assertions, secret-leak checks, credential
//! strategies, span-tree snapshots and metrics for OpenTelemetry instrumentation tests.
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod artifact;
mod assertions;
mod capture;
#[cfg(feature = "floe")]
pub mod conform;
pub mod expect;
pub mod fixtures;
#[cfg(feature = "http")]
pub mod hostile;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "floe")]
pub mod kubernetes;
#[cfg(feature = "floe")]
pub mod lakana;
pub mod leak;
mod matching;
#[cfg(feature = "metrics")]
pub mod metrics;
mod paths;
#[cfg(feature = "floe")]
pub mod peers;
pub mod render;
pub mod snapshot;
mod spans;
pub mod strategy;

#[cfg(feature = "floe")]
pub use capture::TEST_NAMESPACE;
pub use capture::bridge::layer as tracing_layer;
pub use capture::{Capture, Orphan, OrphanReason, install, orphans};
pub use spans::CapturedSpans;

/// What [`assert_span_tree!`] expands to; not part of the API.
#[doc(hidden)]
pub use insta as __insta;
