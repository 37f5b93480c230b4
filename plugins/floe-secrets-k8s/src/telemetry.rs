//! Spans emitted by the Kubernetes Secrets plugin.
//!
//! ## Spans
//! - `secrets.get_secret` (client): one per read of `name/key`; a required secret that is
//!   missing ends as an error.
//! - `secrets.get_multi` (client): reading every key of one Secret.
//! - `secrets.set_secret` (client): create or replace one key (merge patch, or create).
//! - `secrets.delete_secret` (client): delete a whole Secret or one of its keys.
//! - `secrets.list_secrets` (client): list Secret names, page by page.
//! - `secrets.health_check` (client): can the plugin list Secrets in its namespace.
//! - `secrets.pod_env_spec` (internal): an `env` list of `secretKeyRef`s.
//!
//! Retries of answers that are safe to retry (429, 503, refused connection) are
//! `secrets.retry` events on the span of the call.
//!
//! ## Attributes
//! - `secrets.provider` = `kubernetes`, `secrets.namespace`, `secrets.key_name` (a name,
//!   not a value), `secrets.required`, `secrets.found`, `secrets.count`,
//!   `secrets.write_action`, `server.address` (host only), `http.response.status_code`.
//!
//! ## Never recorded
//! - Secret values, in any encoding (plain or base64).
//! - The service-account or configured bearer token.
//! - The API server URL's path, query or user info.

pub use floe_core::telemetry::ops::SecretsOp;

/// The tracer of this plugin.
pub const TRACER_NAME: &str = "floe.secrets.k8s";

/// The value of `secrets.provider`.
pub const PROVIDER: &str = "kubernetes";
