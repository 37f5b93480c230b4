//! floe-telemetry: the span contract every instrumented floe crate and the testkit share.
//!
//! Who depends on this: `floe-core` (which re-exports it as `floe_core::telemetry`, so
//! plugins need one floe dependency), `floe-otel-testkit` (which installs its capture
//! provider in [`TracerFactory`]), and any crate that only wants floe's domain spans and
//! `#[traced]` without the platform (plugin model, HTTP, dbt).
//!
//! - [`DomainSpan`], [`in_span`] and [`in_span_async`]: the span every operation runs in,
//!   named by an [`Operation`], carrying [`FloeSpanAttributes`], ending with a truthful
//!   status; [`record_failure`] is the only writer of an error status or exception event.
//! - [`sanitize_error_message`]: the only way text reaches a span status or an exception
//!   event ([`SanitizedMessage`]); [`secret::Secret`] holds a credential that never prints.
//! - [`TracerFactory`]: one cached tracer per name, a no-op until a provider is installed.
//! - [`attr`], [`ops`] and [`conventions`]: the attribute keys, operation enums and
//!   convention tables generated from the telemetry registry (`registry/*.yaml`).
//! - [`TelemetryConfig`] and [`init_telemetry`]: the manifest's `telemetry:` section and the
//!   provider it describes (console, or OTLP behind features).
//! - [`traced`]: the attribute macro that runs a function inside a domain span.
//!
//! # Crate feature flags
//! - `otlp-grpc` (default): the OTLP exporter over gRPC (tonic).
//! - `otlp-http` (default): the OTLP exporter over HTTP/protobuf (a blocking reqwest client
//!   on rustls with the `ring` provider, installed by this crate before it is built).
//!
//! - `fault-injection` (never in a production build; the testkit turns it on for every
//!   test build): [`fault`], the domain-span layer lying in one way chosen at run time by
//!   `FLOE_FAULT`, for `cargo xtask faults`.
//!
//! Without either OTLP feature, the crate builds no HTTP stack: a configuration asking for OTLP is then
//! refused by [`init_telemetry`] with [`TracerInitError::Unsupported`].
#![warn(missing_docs)]

pub mod attr;
mod attributes;
mod config;
mod console;
pub mod conventions;
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
mod export;
mod factory;
#[cfg(feature = "fault-injection")]
pub mod fault;
#[cfg(not(feature = "fault-injection"))]
mod fault;
mod intern;
pub mod ops;
#[cfg(feature = "otlp-http")]
mod otlp_http;
mod provider;
mod registry;
mod sanitize;
pub mod secret;
mod span;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use attributes::FloeSpanAttributes;
pub use config::{
    ConfigError, ConsoleTarget, EnvSource, ExporterConfig, OtlpConfig, OtlpProtocol, ProcessEnv,
    ProductIdentity, SamplerKind, SamplingConfig, TelemetryConfig,
};
pub use console::ConsoleExporter;
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub use export::{ExportError, OtlpSpanExporter};
pub use factory::{FloeTracer, TracerFactory};
/// The OpenTelemetry types instrumented code needs, re-exported so that a crate using
/// floe's spans needs no `opentelemetry` dependency of its own.
pub use opentelemetry::trace::SpanKind;
pub use opentelemetry::{Array, Context, Key, KeyValue, StringValue, Value};
pub use provider::{
    TelemetryGuard, TracerInitError, init_telemetry, init_telemetry_in, resource, span_attributes,
};
pub use sanitize::{
    DEFAULT_MAX_LEN, ELLIPSIS, MARKER, SanitizedMessage, sanitize_error_message,
    sanitize_with_max_len,
};
pub use span::{
    DomainSpan, Operation, SpanRecorder, describe_error, in_span, in_span_async, record_failure,
};

/// Runs a function or method inside a [`DomainSpan`]; see `floe_core::traced` for every
/// option. This entry point expands to paths under `::floe_telemetry`, for crates that
/// depend on this crate and not on floe-core; `floe_core::traced` expands to paths under
/// `::floe_core`, which re-exports the same run-time support.
pub use floe_macros::traced_with_telemetry as traced;

/// Installs rustls's `ring` provider for the process (once; later calls do nothing).
/// Building a rustls client (the OTLP HTTP exporter's, a plugin's reqwest client) without a
/// provider panics.
#[cfg(feature = "otlp-http")]
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
