//! HTTP for plugins.
//!
//! - [`Peer`]: the peer-call path for plugins that call a JSON API with a credential
//!   (secrets, identity, catalogs, lineage). One call is a [`PeerRequest`] sent with
//!   [`Peer::send`]: a time budget for the whole call (retries included), bounded retries
//!   of 429, 503 and refused connections only, a body size limit enforced while
//!   streaming, no redirects, the status and each retry on the current span. The answer
//!   is a [`PeerAnswer`]; its status maps to a [`PeerError`] whose peer text was
//!   scrubbed of every credential the call sent ([`SentCredentials`]) and then
//!   sanitized.
//! - [`client()`], [`client_with_ca`]: the one way to build a client (rustls on the `ring`
//!   provider, timeouts on every request), for plugins that post to a webhook and need
//!   no more ([`send_with_retry`], [`answer_excerpt`]).
//! - [`parse_endpoint`], [`parse_base_endpoint`]: endpoints from config that carry
//!   credentials are `https`, plain `http` to loopback, or plain `http` with an explicit
//!   `allow_insecure_http`. [`split_user_info`] takes the user info out of a setting
//!   documented to carry it, for [`PeerRequest::basic`].
//! - [`safe_destination`]: the only form of a URL that reaches a span (`host[:port]`).
//!
//! # A credentialed call
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use floe_core::http::{Peer, PeerRequest, RetryEvents};
//! use floe_core::secret::Secret;
//! use floe_core::telemetry::attr;
//!
//! let events = RetryEvents::new(attr::SECRETS_RETRY_EVENT, attr::SECRETS_ATTEMPT);
//! let peer = Peer::builder("https://kubernetes.default.svc", false, events)?
//!     .timeout(Duration::from_secs(5))
//!     .build()?;
//! let token = Secret::new("service-account-token".to_owned());
//! let answer = peer
//!     .send(PeerRequest::get("/api/v1/namespaces/floe/secrets/db").bearer(&token).accept_json())
//!     .await?;
//! match answer.status() {
//!     200 => { let _secret: serde_json::Value = answer.json()?; }
//!     404 => { /* not there */ }
//!     // The Status message, scrubbed of the token, then sanitized.
//!     _ => return Err(answer.error_with(answer.peer_text(|body| {
//!         serde_json::from_slice::<serde_json::Value>(body).ok()?["message"]
//!             .as_str()
//!             .map(str::to_owned)
//!     })).into()),
//! }
//! # Ok(()) }
//! ```

mod answer;
mod client;
mod credentials;
mod endpoint;
mod error;
mod peer;
mod request;
mod retry;

pub use answer::PeerAnswer;
pub use client::{CaBundleError, ClientError, client, client_with_ca, install_crypto_provider};
pub use credentials::SentCredentials;
pub use endpoint::{
    EXCERPT_MAX, EndpointError, UrlCredentials, answer_excerpt, is_loopback, parse_base_endpoint,
    parse_endpoint, percent_decoded, safe_destination, split_user_info,
};
pub use error::PeerError;
pub use peer::{DEFAULT_MAX_BODY, DEFAULT_TIMEOUT, Peer, PeerBuilder, RetryEvents};
pub use request::PeerRequest;
pub use retry::{RetryEvent, RetryPolicy, Sent, is_retryable, send_with_retry};
