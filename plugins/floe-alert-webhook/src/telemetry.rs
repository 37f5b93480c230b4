//! Spans emitted by the webhook alert plugin.
//!
//! ## Spans
//! - `alert.send` (client): one per delivery of a contract violation; each retry (429, 503,
//!   refused connection) is an `alert.retry` event. A 4xx answer ends it as `Error` with
//!   `alert.delivery_status = rejected`; a 5xx, a timeout or a refused connection with
//!   `failed`.
//! - `alert.validate_config` (internal): the config check, also run by the health check
//!   (a webhook receiver has no way to be asked whether it is up without an event).
//!
//! ## Attributes
//! - `alert.channel` = `webhook`, `alert.severity`, `alert.contract_name`,
//!   `alert.delivery_status`, `alert.destination` (the receiver's host and port only),
//!   `http.response.status_code`; on `alert.retry`: `alert.attempt`,
//!   `http.response.status_code`.
//!
//! ## Never recorded
//! - The receiver URL (its path or query may be the credential), the signing secret, the
//!   signature header, the event body.

pub use floe_core::telemetry::ops::AlertOp;

/// The tracer of this plugin.
pub const TRACER_NAME: &str = "floe.alert.webhook";

/// The value of `alert.channel`.
pub const CHANNEL: &str = "webhook";
