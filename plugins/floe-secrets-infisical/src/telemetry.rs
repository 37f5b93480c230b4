//! Spans emitted by the Infisical secrets plugin.
//!
//! ## Spans
//! - `secrets.get_secret`, `secrets.get_multi`, `secrets.set_secret`,
//!   `secrets.delete_secret`, `secrets.list_secrets` (client): one per operation; a
//!   required secret that is missing ends as an error.
//! - `secrets.login` (client): a Universal Auth login or a token renewal, as a child of the
//!   operation that needed the token (or a root span from `startup`).
//! - `secrets.health_check` (client): the instance answers `/api/status` and the machine
//!   identity can log in.
//! - `secrets.pod_env_spec` (internal): `secretKeyRef`s into the Kubernetes Secret the
//!   Infisical operator syncs.
//!
//! Rate-limited (429) or unavailable (503) answers that are retried are `secrets.retry`
//! events.
//!
//! ## Attributes
//! - `secrets.provider` = `infisical`, `secrets.namespace` (the environment slug),
//!   `secrets.key_name` (the key as asked, a name), `secrets.required`, `secrets.found`,
//!   `secrets.count`, `secrets.write_action`, `secrets.auth_action`, `server.address`
//!   (host only), `http.response.status_code`.
//! - Every key has the one `secrets.` prefix (the original plugin mixed `secret.` and
//!   `secrets.`).
//!
//! ## Never recorded
//! - Secret values, the client secret, access tokens (issued or renewed), the client id.

pub use floe_core::telemetry::ops::SecretsOp;

/// The tracer of this plugin.
pub const TRACER_NAME: &str = "floe.secrets.infisical";

/// The value of `secrets.provider`.
pub const PROVIDER: &str = "infisical";
