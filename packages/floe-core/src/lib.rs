//! floe-core: the floe platform that plugins are written against.
//!
//! Who depends on this: every plugin (its one floe dependency), the shared packages that
//! plugins build on (`floe-iceberg`, `floe-dbt`), the `floe` binary, and the testkit's
//! `floe` feature (fixtures, peers). The span layer itself is `floe-telemetry`, re-exported
//! here as [`telemetry`] (and [`secret`]), so a plugin needs no other floe crate and no
//! `opentelemetry` dependency of its own.
//!
//! - [`telemetry`]: floe-telemetry: domain spans, the sanitizer, the tracer factory,
//!   attribute keys and operations from the registry, telemetry config and providers.
//! - [`secret`]: [`secret::Secret`], a credential that never prints.
//! - [`traced`]: the attribute macro that runs a function inside a domain span.
//! - [`plugin`]: plugin metadata, categories and their traits, the link-time registry,
//!   config decoding with `${secret:..}` / `${env:..}` references.
//! - [`health`]: the traced health check every category shares.
//! - [`audit`]: the instrumentation audit ([`audit::verify_plugin_instrumentation`]).
//! - [`compile`]: the stages of `floe compile`, each traced.
//! - [`http`]: the HTTP client plugins use (rustls on `ring`, timeouts, bounded retries).
//! - [`process`]: running external tools with a timeout.
//! - [`quality`]: the span shape every data-quality provider shares.
//! - [`text`]: the name checks applied before a name reaches SQL or generated code.
#![warn(missing_docs)]

pub mod audit;
pub mod compile;
pub mod health;
pub mod http;
pub mod plugin;
pub mod process;
pub mod quality;
pub mod text;

/// The span layer (the `floe-telemetry` crate): [`telemetry::DomainSpan`],
/// [`telemetry::sanitize_error_message`], [`telemetry::TracerFactory`], [`telemetry::attr`],
/// [`telemetry::ops`], telemetry config and providers.
pub use floe_telemetry as telemetry;
pub use floe_telemetry::secret;
/// The OpenTelemetry types plugins use, so that they need no `opentelemetry` dependency.
pub use floe_telemetry::{Key, KeyValue, SpanKind, Value};

/// Runs a function or method inside a domain span: see the macro's documentation.
///
/// The entry point for crates that depend on floe-core: its expansion names
/// `::floe_core::__private`, so a plugin needs no other floe dependency.
///
/// ```
/// use floe_core::telemetry::{Operation, attr};
/// use floe_core::traced;
///
/// #[derive(Clone, Copy)]
/// struct Probe;
/// impl Operation for Probe {
///     fn span_name(self) -> &'static str { "compute.validate_connection" }
/// }
/// const TRACER_NAME: &str = "floe.example";
///
/// #[traced(op = Probe, attributes(attr::FLOE_MODE = "dev"), fields(host))]
/// async fn probe(host: &str) -> Result<(), std::io::Error> {
///     let _ = host;
///     Ok(())
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// probe("warehouse.internal").await.unwrap();
/// # });
/// ```
pub use floe_macros::traced;

#[doc(hidden)]
pub use floe_telemetry::__private;
#[doc(hidden)]
pub use inventory as __private_inventory;
