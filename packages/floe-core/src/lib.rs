//! floe-core: the telemetry foundation of the floe platform's plugins.
//!
//! - [`telemetry`]: configuration, provider set-up, [`telemetry::TracerFactory`],
//!   [`telemetry::sanitize_error_message`], attribute keys, [`telemetry::FloeSpanAttributes`]
//!   and [`telemetry::DomainSpan`], the span every plugin operation runs in.
//! - [`secret`]: [`secret::Secret`], a credential that never prints.
//! - [`traced`]: the attribute macro that runs a function inside a domain span.
//! - [`plugin`]: plugin metadata, categories and their traits, the link-time registry,
//!   config decoding with `${secret:..}` / `${env:..}` references.
//! - [`audit`]: the instrumentation audit ([`audit::verify_plugin_instrumentation`]).
//! - [`compile`]: the stages of `floe compile`, each traced.
//! - [`http`]: the HTTP client plugins use (rustls on `ring`, timeouts, bounded retries).
//! - [`process`]: running external tools with a timeout.
//! - [`dbt`]: driving dbt and SQLFluff, reading their artifacts, tracing their nodes.
//! - [`quality`]: the span shape every data-quality provider shares.
#![warn(missing_docs)]

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
pub mod audit;
pub mod compile;
pub mod dbt;
pub mod http;
pub mod plugin;
pub mod process;
pub mod quality;
pub mod secret;
pub mod telemetry;
pub mod text;

pub use floe_macros::traced;
#[doc(hidden)]
pub use inventory as __private_inventory;
