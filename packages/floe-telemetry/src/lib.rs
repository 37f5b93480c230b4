//! Telemetry: configuration, provider set-up, the tracer factory, the sanitizer, attribute
//! keys and the domain span every plugin traces its operations with.

pub mod attr;
mod attributes;
mod config;
mod console;
pub mod conventions;
mod export;
mod factory;
pub mod ops;
mod provider;
mod registry;
mod sanitize;
mod span;

pub use attributes::FloeSpanAttributes;
pub use config::{
    ConfigError, ConsoleTarget, EnvSource, ExporterConfig, OtlpConfig, OtlpProtocol, ProcessEnv,
    ProductIdentity, SamplerKind, SamplingConfig, TelemetryConfig,
};
pub use console::ConsoleExporter;
pub use export::{ExportError, OtlpSpanExporter};
pub use factory::{FloeTracer, TracerFactory};
/// The span kind an [`Operation`] reports, re-exported so that plugins implementing it
/// need no `opentelemetry` dependency of their own.
pub use opentelemetry::trace::SpanKind;
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
