//! `OAuth2` client credentials for Polaris: a [`TokenProvider`] that asks the token
//! endpoint for a bearer token, caches it until shortly before it expires, and fetches a
//! new one when it has expired or the catalog refused it.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use floe_core::KeyValue;
use floe_core::http::{Peer, PeerError, PeerRequest, RetryEvents, RetryPolicy};
use floe_core::secret::Secret;
use floe_core::telemetry::{SanitizedMessage, attr, describe_error, in_span_async};
use floe_iceberg::{IcebergError, TokenFuture, TokenProvider};
use reqwest::Method;
use serde::Deserialize;
use url::Url;

use crate::telemetry::{CATALOG_NAME, CatalogOp, TRACER_NAME};

/// A token is not used during the last part of its life: 30 seconds, or half of it for a
/// short-lived token.
const REFRESH_MARGIN: Duration = Duration::from_secs(30);

/// A token and until when it is used.
#[derive(Debug)]
struct Cached {
    token: Secret<String>,
    /// `None`: the endpoint gave no lifetime; used until the catalog refuses it.
    use_until: Option<Instant>,
}

/// The token endpoint's answer (RFC 6749 section 5.1).
#[derive(Deserialize)]
struct TokenResponse {
    access_token: Secret<String>,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// The token endpoint's refusal (RFC 6749 section 5.2); the description is never read,
/// because servers echo credentials in it.
#[derive(Deserialize)]
struct TokenError {
    error: String,
}

/// Client credentials exchanged for bearer tokens.
#[derive(Debug)]
pub(crate) struct ClientCredentials {
    token_url: Url,
    peer: Peer,
    client_id: String,
    client_secret: Secret<String>,
    scope: String,
    cached: Mutex<Option<Cached>>,
}

/// The error of a token request, as the catalog client reports it.
fn token_error(error: &PeerError) -> IcebergError {
    IcebergError::Token { reason: format!("token endpoint: {}", describe_error(error)) }
}

impl ClientCredentials {
    /// Credentials for `token_url`, which must be `https`, plain `http` to loopback, or
    /// plain `http` with `allow_insecure_http`; each request within `timeout`.
    ///
    /// # Errors
    /// Why `token_url` cannot be used (never the URL itself).
    pub(crate) fn new(
        token_url: &Url,
        allow_insecure_http: bool,
        timeout: Duration,
        client_id: String,
        client_secret: Secret<String>,
        scope: String,
    ) -> Result<Self, String> {
        let events = RetryEvents::new(attr::CATALOG_RETRY_EVENT, attr::CATALOG_ATTEMPT);
        let peer = Peer::builder(token_url.as_str(), allow_insecure_http, events)
            .map_err(|error| error.to_string())?
            .timeout(timeout)
            .build()
            .map_err(|_| "the HTTP client cannot be built with this TLS set-up".to_owned())?;
        Ok(Self {
            token_url: token_url.clone(),
            peer,
            client_id,
            client_secret,
            scope,
            cached: Mutex::new(None),
        })
    }

    /// The same credentials with `retry` for token requests, and no cached token.
    pub(crate) fn with_retry_policy(&self, retry: RetryPolicy) -> Self {
        let mut peer = self.peer.clone();
        peer.set_retry_policy(retry);
        Self {
            token_url: self.token_url.clone(),
            peer,
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            scope: self.scope.clone(),
            cached: Mutex::new(None),
        }
    }

    /// Forgets the cached token, so the next request fetches a new one.
    pub(crate) fn invalidate(&self) {
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    fn cached(&self) -> Option<Secret<String>> {
        let cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        cached
            .as_ref()
            .filter(|c| c.use_until.is_none_or(|until| Instant::now() < until))
            .map(|c| c.token.clone())
    }

    /// `POST` the client credentials (RFC 6749 section 4.4) through the peer-call path:
    /// no redirect followed, the answer bounded, the client secret scrubbed from whatever
    /// comes back, the status and retries on the `catalog.fetch_token` span.
    async fn fetch(&self) -> Result<Secret<String>, IcebergError> {
        let attributes = vec![
            KeyValue::new(attr::CATALOG_NAME, CATALOG_NAME),
            KeyValue::new(attr::SERVER_ADDRESS, self.peer.host().to_owned()),
        ];
        in_span_async(TRACER_NAME, CatalogOp::FetchToken, attributes, |_span| async move {
            let request = PeerRequest::to_url(Method::POST, self.token_url.clone())
                .accept_json()
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", &self.client_id),
                    ("scope", &self.scope),
                ])
                .form_secret("client_secret", &self.client_secret);
            let answer = self.peer.send(request).await.map_err(|e| token_error(&e))?;
            if !answer.is_success() {
                // Only the OAuth error code: servers echo credentials in the description.
                let code = serde_json::from_slice::<TokenError>(answer.body())
                    .ok()
                    .map(|e| e.error)
                    .filter(|e| {
                        !e.is_empty()
                            && e.len() <= 64
                            && e.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    });
                let detail = code.map_or_else(
                    || SanitizedMessage::from_static("no OAuth error code"),
                    |code| floe_core::telemetry::sanitize_error_message(&code),
                );
                return Err(token_error(&answer.error_with(detail)));
            }
            let answer: TokenResponse = answer.json().map_err(|e| token_error(&e))?;
            if answer.token_type.as_deref().is_some_and(|t| !t.eq_ignore_ascii_case("bearer")) {
                return Err(IcebergError::Token {
                    reason: "token endpoint: the token issued is not a bearer token".to_owned(),
                });
            }
            if answer.access_token.expose().is_empty() {
                return Err(IcebergError::Token {
                    reason: "token endpoint: the access token issued is empty".to_owned(),
                });
            }
            let use_until = answer.expires_in.map(|seconds| {
                let lifetime = Duration::from_secs(seconds);
                Instant::now() + lifetime.saturating_sub(REFRESH_MARGIN.min(lifetime / 2))
            });
            let token = answer.access_token;
            *self.cached.lock().unwrap_or_else(PoisonError::into_inner) =
                Some(Cached { token: token.clone(), use_until });
            Ok(token)
        })
        .await
    }
}

impl TokenProvider for ClientCredentials {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            match self.cached() {
                Some(token) => Ok(Some(token)),
                None => self.fetch().await.map(Some),
            }
        })
    }
}

/// The provider as the catalog client holds it, sharing the cache with the plugin (which
/// invalidates it after a 401).
#[derive(Clone, Debug)]
pub(crate) struct SharedCredentials(pub(crate) std::sync::Arc<ClientCredentials>);

impl TokenProvider for SharedCredentials {
    fn token(&self) -> TokenFuture<'_> {
        self.0.token()
    }
}
