//! Spans emitted by the Slack alert plugin.
//!
//! ## Spans
//! - `alert.send` (client): one per delivery of a contract violation; each retry (429, 503,
//!   refused connection) is an `alert.retry` event. A 4xx answer (`invalid_blocks`,
//!   `channel_not_found`, ...) ends it as `Error` with `alert.delivery_status = rejected`;
//!   a 5xx, a timeout or a refused connection with `failed`.
//! - `alert.validate_config` (internal): the config check, also run by the health check
//!   (an incoming webhook cannot be probed without posting a message).
//!
//! ## Attributes
//! - `alert.channel` = `slack`, `alert.severity`, `alert.contract_name`,
//!   `alert.delivery_status`, `alert.destination` (the configured channel name, else the
//!   webhook host), `http.response.status_code`; on `alert.retry`: `alert.attempt`,
//!   `http.response.status_code`.
//!
//! ## Never recorded
//! - The webhook URL (its path is the credential), the message body.

pub use floe_core::telemetry::ops::AlertOp;

/// The tracer of this plugin.
pub const TRACER_NAME: &str = "floe.alert.slack";

/// The value of `alert.channel`.
pub const CHANNEL: &str = "slack";
