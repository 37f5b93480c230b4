//! floe-core: the telemetry foundation of the floe platform's plugins.
//!
//! - [`telemetry`]: configuration, provider set-up, [`telemetry::TracerFactory`],
//!   [`telemetry::sanitize_error_message`], attribute keys, [`telemetry::FloeSpanAttributes`]
//!   and [`telemetry::DomainSpan`], the span every plugin operation runs in.
//! - [`secret`]: [`secret::Secret`], a credential that never prints.
//! - [`tls`]: the process-wide rustls crypto provider (`ring`) every HTTP client needs.
//! - [`traced`]: the attribute macro that runs a function inside a domain span.
#![warn(missing_docs)]

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
pub mod secret;
pub mod telemetry;
pub mod tls;

pub use floe_macros::traced;
