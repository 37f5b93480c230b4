//! floe-otel-testkit: isolated span capture, assertions, secret-leak checks, credential
//! strategies and span-tree snapshots for OpenTelemetry instrumentation tests.
//!
//! # Why
//! `cargo test` runs the tests of one binary on many threads, and OpenTelemetry's global
//! provider is shared by all of them: a global `InMemorySpanExporter` hands every test
//! the spans of every other test. A [`Capture`] owns a fresh trace id instead; the
//! process-wide provider the testkit installs routes each ended span to the capture
//! whose trace it belongs to. Spans made in the capture's context, in threads that attach
//! it, and in futures bound to it ([`Capture::bind`]) are captured; spans that lost their
//! context are reported ([`Capture::assert_nothing_escaped`], [`orphans`]).
//!
//! # A good tracing test for a plugin
//! It drives the real operation, then checks the span name, its parent, the required
//! attributes, the status on failure, and that the planted secret is nowhere:
//!
//! ```
//! use floe_telemetry::{DomainSpan, Operation, attr};
//! use floe_otel_testkit::{Capture, expect};
//!
//! #[derive(Clone, Copy)]
//! enum AlertOp { Send }
//! impl Operation for AlertOp {
//!     fn span_name(self) -> &'static str { "alert.send" }
//! }
//!
//! #[derive(Debug, thiserror::Error)]
//! #[error("webhook {url} rejected the alert with status {status}")]
//! struct Rejected { url: String, status: u16 }
//!
//! /// Stands in for a plugin's real operation.
//! fn send(url: &str) -> Result<(), Rejected> {
//!     let span = DomainSpan::start("floe.alert.demo", AlertOp::Send);
//!     let result = Err(Rejected { url: url.to_owned(), status: 403 });
//!     span.end_with(&result);
//!     result
//! }
//!
//! let planted = "FLOETEST-hunter2-value";
//! let capture = Capture::start();
//! let err = send(&format!("https://bot:{planted}@hooks.example.com/x")).unwrap_err();
//! assert_eq!(err.status, 403);
//! capture.assert_one(
//!     expect::span("alert.send")
//!         .root()
//!         .scope("floe.alert.demo")
//!         .floe_attributes()
//!         .error_containing("status 403")
//!         .exception("Rejected"),
//! );
//! capture.assert_no_secret(planted);
//! ```
//!
//! # Parts
//! - [`Capture`]: per-test capture, and [`CapturedSpans`] with the assertions.
//! - [`expect`]: expectation builders for spans, events and trees.
//! - [`leak`]: secret-leak checks over every string a span carries.
//! - [`conform`]: every captured span checked against the telemetry registry
//!   ([`CapturedSpans::assert_conforms`]).
//! - [`strategy`]: proptest strategies for credentials and messages that embed them.
//! - [`render`]: the deterministic span-tree renderer; [`assert_span_tree!`] snapshots
//!   it into the workspace's `snapshots/` directory.
//! - [`fixtures`]: rstest fixtures.
//! - [`artifact`]: failing assertions save the captured trace as OTLP JSON.
//! - `http` (feature `http`): a loopback HTTP server that records requests, for peers no
//!   registry ships.
//! - `hostile` (feature `http`): a loopback peer that echoes credentials, redirects to
//!   another origin, sends 50 MB or dribbles, breaks its JSON or closes mid-answer, for
//!   the hostile-peer rows.
//! - `peers` (feature `floe`): the test peers floe's `scripts/setup` installs, free
//!   loopback ports, peer processes waited for with a bound and stopped on drop, and
//!   scratch copies of the example dbt project.
//! - `kubernetes` (feature `floe`): Kubernetes documents judged by the JSON schemas of a
//!   pinned Kubernetes version (`kubernetes-validate`), many per validator run.
//! - `lakana` (feature `floe`): a real Iceberg REST catalog (`lakana-server`), one per
//!   test process, with its environment created and tokens issued and revoked on demand.
//!
//! # Crate feature flags
//! - `floe`: floe's own test support (fixtures from floe-core's plugin model, the peers
//!   of floe's `scripts/setup`); implies `http`. Off by default: the capture, the
//!   assertions, the leak checks, the strategies and the renderer need only the span
//!   layer (`floe-telemetry`), so a crate testing its own instrumentation does not build
//!   floe's platform, its HTTP client or dbt support.
//! - `http`: `http::LoopbackServer`.
#![warn(missing_docs)]

pub mod artifact;
mod capture;
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
#[cfg(feature = "floe")]
pub mod peers;
pub mod render;
pub mod snapshot;
mod spans;
pub mod strategy;

pub use capture::{Capture, Orphan, OrphanReason, TEST_NAMESPACE, orphans};
pub use spans::CapturedSpans;
