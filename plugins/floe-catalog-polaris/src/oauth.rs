//! `OAuth2` client credentials for Polaris: a [`TokenProvider`] that asks the token
//! endpoint for a bearer token, caches it until shortly before it expires, and fetches a
//! new one when it has expired or the catalog refused it.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use floe_core::KeyValue;
use floe_core::secret::Secret;
use floe_core::telemetry::{attr, in_span_async};
use floe_iceberg::{IcebergError, TokenFuture, TokenProvider};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
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
    client_id: String,
    client_secret: Secret<String>,
    scope: String,
    cached: Mutex<Option<Cached>>,
}

impl ClientCredentials {
    pub(crate) fn new(
        token_url: Url,
        client_id: String,
        client_secret: Secret<String>,
        scope: String,
    ) -> Self {
        Self { token_url, client_id, client_secret, scope, cached: Mutex::new(None) }
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

    async fn fetch(&self, http: &reqwest::Client) -> Result<Secret<String>, IcebergError> {
        let attributes = vec![
            KeyValue::new(attr::CATALOG_NAME, CATALOG_NAME),
            KeyValue::new(
                attr::SERVER_ADDRESS,
                self.token_url.host_str().unwrap_or_default().to_owned(),
            ),
        ];
        in_span_async(TRACER_NAME, CatalogOp::FetchToken, attributes, |span| async move {
            // Built before the await: the serializer is not `Send`.
            let form = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("grant_type", "client_credentials")
                .append_pair("client_id", &self.client_id)
                .append_pair("client_secret", self.client_secret.expose())
                .append_pair("scope", &self.scope)
                .finish();
            let response = http
                .post(self.token_url.clone())
                .header(ACCEPT, "application/json")
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form)
                .send()
                .await
                .map_err(|e| IcebergError::Transport(e.without_url()))?;
            let status = response.status().as_u16();
            span.set_attribute(KeyValue::new(attr::HTTP_RESPONSE_STATUS_CODE, i64::from(status)));
            let body =
                response.bytes().await.map_err(|e| IcebergError::Transport(e.without_url()))?;
            if !(200..300).contains(&status) {
                let code = serde_json::from_slice::<TokenError>(&body)
                    .ok()
                    .map(|e| e.error)
                    .filter(|e| {
                        !e.is_empty() && e.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    })
                    .unwrap_or_else(|| "no OAuth error code".to_owned());
                return Err(IcebergError::Token {
                    reason: format!(
                        "the token endpoint refused the client credentials ({status} {code})"
                    ),
                });
            }
            let answer: TokenResponse =
                serde_json::from_slice(&body).map_err(|_| IcebergError::Token {
                    reason: "the token endpoint answered without an access_token".to_owned(),
                })?;
            if answer.token_type.as_deref().is_some_and(|t| !t.eq_ignore_ascii_case("bearer")) {
                return Err(IcebergError::Token {
                    reason: "the token endpoint issued a token that is not a bearer token"
                        .to_owned(),
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
    fn token<'a>(&'a self, http: &'a reqwest::Client) -> TokenFuture<'a> {
        Box::pin(async move {
            match self.cached() {
                Some(token) => Ok(Some(token)),
                None => self.fetch(http).await.map(Some),
            }
        })
    }
}

/// The provider as the catalog client holds it, sharing the cache with the plugin (which
/// invalidates it after a 401).
#[derive(Clone, Debug)]
pub(crate) struct SharedCredentials(pub(crate) std::sync::Arc<ClientCredentials>);

impl TokenProvider for SharedCredentials {
    fn token<'a>(&'a self, http: &'a reqwest::Client) -> TokenFuture<'a> {
        self.0.token(http)
    }
}
