//! Spans emitted by the e-mail alert plugin.
//!
//! ## Spans
//! - `alert.send` (client): one per delivery of a contract violation; each retry (a refused
//!   connection, a transient 4xx reply) is an `alert.retry` event. A permanent 5xx reply
//!   ends it as `Error` with `alert.delivery_status = rejected`; anything else that fails
//!   with `failed`.
//! - `alert.validate_config` (internal): the config check.
//! - `alert.health_check` (client): connect, `EHLO`, `NOOP`, `QUIT`.
//!
//! ## Attributes
//! - `alert.channel` = `email`, `alert.severity`, `alert.contract_name`,
//!   `alert.delivery_status`, `alert.destination` (the SMTP server's host and port),
//!   `alert.recipient_count` (never the addresses); on `alert.retry`: `alert.attempt`.
//!
//! ## Never recorded
//! - Recipient and sender addresses, the SMTP password, the mail body; SMTP replies are
//!   sanitized (address local parts redacted) before they reach an error.

pub use floe_core::telemetry::ops::AlertOp;

/// The tracer of this plugin.
pub const TRACER_NAME: &str = "floe.alert.email";

/// The value of `alert.channel`.
pub const CHANNEL: &str = "email";
