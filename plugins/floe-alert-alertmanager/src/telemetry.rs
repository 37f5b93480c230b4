//! Spans emitted by the Alertmanager alert plugin.
//!
//! ## Spans
//! - `alert.send` (client): one per `POST /api/v2/alerts`; each retry (429, 503, refused
//!   connection) is an `alert.retry` event. A 4xx answer (an invalid label set, a bad
//!   `generatorURL`) ends it as `Error` with `alert.delivery_status = rejected`; a 5xx, a
//!   timeout or a refused connection with `failed`.
//! - `alert.validate_config` (internal): the config check.
//! - `alert.health_check` (client): `GET /-/healthy`; anything but 200 ends it as `Error`.
//!
//! ## Attributes
//! - `alert.channel` = `alertmanager`, `alert.severity`, `alert.contract_name`,
//!   `alert.delivery_status`, `alert.destination` (host and port only),
//!   `http.response.status_code`; on `alert.retry`: `alert.attempt`,
//!   `http.response.status_code`.
//!
//! ## Never recorded
//! - The URL's user info, the bearer token and basic-auth password, the alert body.

pub use floe_core::telemetry::ops::AlertOp;

/// The tracer of this plugin.
pub const TRACER_NAME: &str = "floe.alert.alertmanager";

/// The value of `alert.channel`.
pub const CHANNEL: &str = "alertmanager";
