//! Spans emitted by the Keycloak identity plugin.
//!
//! ## Spans
//! - `identity.discover` (client): fetching the realm's OpenID configuration; a child of
//!   the first operation that needs it, or a root span when called directly.
//! - `identity.get_token` (client): a token grant (`client_credentials`, `password` or
//!   `refresh_token`); a refused grant ends as an error.
//! - `identity.userinfo` (client): the userinfo endpoint with an access token.
//! - `identity.validate_token` (internal): a JWT checked against the realm's JWKS
//!   (signature, `exp`, `nbf`, `iss`, `aud`, `azp`); a rejected token ends as an error with
//!   `identity.rejection_reason`.
//! - `identity.health_check` (client): the realm answers its discovery document.
//!
//! Calls retried after 429, 503 or a refused connection are `identity.retry` events.
//!
//! ## Attributes
//! - `identity.provider` = `keycloak`, `identity.realm`, `identity.grant_type`,
//!   `identity.token_valid`, `identity.rejection_reason`, `identity.key_id` (the id of the
//!   published key that signed the token; never a `kid` no published key has),
//!   `identity.subject_hash` (salted SHA-256, salt per plugin instance), `server.address`
//!   (host only), `http.response.status_code`.
//!
//! ## Never recorded
//! - Access, refresh and id tokens, the client secret, user names and passwords.
//! - The raw subject (`sub`) or any other claim of a user.

pub use floe_core::telemetry::ops::IdentityOp;

/// The tracer of this plugin.
pub const TRACER_NAME: &str = "floe.identity.keycloak";

/// The value of `identity.provider`.
pub const PROVIDER: &str = "keycloak";
