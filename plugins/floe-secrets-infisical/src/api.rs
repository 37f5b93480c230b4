//! Calls to the Infisical REST API through floe-core's peer-call path: Universal Auth
//! (login, renewal before expiry, a fresh login when a token is refused), and the error
//! bodies, scrubbed of every credential a call sent before they are sanitized.

use std::time::{Duration, Instant};

use floe_core::KeyValue;
use floe_core::http::{Peer, PeerAnswer, PeerError, PeerRequest, RetryEvents, RetryPolicy};
use floe_core::secret::Secret;
use floe_core::telemetry::{SanitizedMessage, attr, in_span_async};
use serde::Deserialize;

use crate::config::InfisicalConfig;
use crate::error::InfisicalError;
use crate::telemetry::{PROVIDER, SecretsOp, TRACER_NAME};

/// A token is renewed this long before it expires (or at 90% of a shorter lifetime).
const RENEW_MARGIN: Duration = Duration::from_secs(30);

/// An Infisical error body: `{"statusCode", "message", "error"}`.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: serde_json::Value,
    #[serde(default)]
    error: String,
}

/// `<error>: <message>` of an Infisical error body, as the peer wrote it (the caller
/// scrubs and sanitizes it through [`PeerAnswer::peer_text`]).
fn error_text(body: &[u8]) -> Option<String> {
    let body: ErrorBody = serde_json::from_slice(body).ok()?;
    let message = match body.message {
        serde_json::Value::String(text) => text,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    match (body.error.is_empty(), message.is_empty()) {
        (true, true) => None,
        (false, true) => Some(body.error),
        (true, false) => Some(message),
        (false, false) => Some(format!("{}: {message}", body.error)),
    }
}

/// The peer's words about a failure answer, scrubbed and sanitized.
pub(crate) fn peer_text(answer: &PeerAnswer) -> SanitizedMessage {
    answer.peer_text(error_text)
}

/// The login and renewal answer.
#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(rename = "accessToken")]
    access_token: Secret<String>,
    #[serde(rename = "expiresIn")]
    expires_in: u64,
    #[serde(rename = "accessTokenMaxTTL", default)]
    max_ttl: u64,
}

/// The current access token and how long it may be used and renewed.
struct Token {
    value: Secret<String>,
    fresh_until: Instant,
    renewable_until: Instant,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token").field("value", &self.value).finish_non_exhaustive()
    }
}

fn margin(ttl: Duration) -> Duration {
    RENEW_MARGIN.min(ttl / 10)
}

/// A client for one Infisical instance and machine identity.
#[derive(Debug)]
pub(crate) struct Infisical {
    peer: Peer,
    client_id: Secret<String>,
    client_secret: Secret<String>,
    token: tokio::sync::Mutex<Option<Token>>,
}

fn config_error(key: &'static str, reason: &str) -> InfisicalError {
    InfisicalError::Config { key, reason: reason.to_owned() }
}

impl Infisical {
    pub(crate) fn new(config: &InfisicalConfig) -> Result<Self, InfisicalError> {
        let events = RetryEvents::new(attr::SECRETS_RETRY_EVENT, attr::SECRETS_ATTEMPT);
        let builder = Peer::builder(&config.site_url, config.allow_insecure_http, events)
            .map_err(|error| config_error("site_url", &error.to_string()))?;
        if config.client_id.trim().is_empty() {
            return Err(config_error("client_id", "must not be empty"));
        }
        if config.client_secret.expose().trim().is_empty() {
            return Err(config_error("client_secret", "must not be empty"));
        }
        if config.timeout_secs == 0 {
            return Err(config_error("timeout_secs", "must be at least 1"));
        }
        let peer =
            builder.timeout(Duration::from_secs(config.timeout_secs)).build().map_err(|_| {
                config_error("site_url", "the HTTP client cannot be built with this TLS set-up")
            })?;
        Ok(Self {
            peer,
            client_id: Secret::new(config.client_id.clone()),
            client_secret: config.client_secret.clone(),
            token: tokio::sync::Mutex::new(None),
        })
    }

    pub(crate) fn set_retry_policy(&mut self, retry: RetryPolicy) {
        self.peer.set_retry_policy(retry);
    }

    pub(crate) fn host(&self) -> &str {
        self.peer.host()
    }

    /// Sends `request` without a token (the status check, a login).
    pub(crate) async fn send(&self, request: PeerRequest) -> Result<PeerAnswer, PeerError> {
        self.peer.send(request.accept_json()).await
    }

    /// Sends `request` with the access token; a 401 (the token expired or was revoked on
    /// the server) drops the token, logs in again and sends once more.
    pub(crate) async fn authed(
        &self,
        request: PeerRequest,
    ) -> Result<Result<PeerAnswer, PeerError>, InfisicalError> {
        let token = self.access_token().await?;
        let answer = self.send(request.clone().bearer(&token)).await;
        if !matches!(&answer, Ok(answer) if answer.status() == 401) {
            return Ok(answer);
        }
        self.forget(&token).await;
        let token = self.access_token().await?;
        Ok(self.send(request.bearer(&token)).await)
    }

    async fn forget(&self, refused: &Secret<String>) {
        let mut guard = self.token.lock().await;
        if guard.as_ref().is_some_and(|t| t.value == *refused) {
            *guard = None;
        }
    }

    /// A usable access token: the cached one while fresh, else renewed while the identity
    /// allows it, else a new login. Each login or renewal is a `secrets.login` span.
    pub(crate) async fn access_token(&self) -> Result<Secret<String>, InfisicalError> {
        let mut guard = self.token.lock().await;
        let now = Instant::now();
        if let Some(token) = guard.as_ref().filter(|t| now < t.fresh_until) {
            return Ok(token.value.clone());
        }
        let renewable = guard
            .as_ref()
            .filter(|t| now < t.renewable_until)
            .map(|t| (t.value.clone(), t.renewable_until));
        let token = match renewable {
            Some((old, until)) => match self.authenticate(Some((&old, until))).await {
                Ok(token) => token,
                // Refused (not unreachable): the identity may still log in afresh.
                Err(InfisicalError::Login { source, .. }) if source.status().is_some() => {
                    self.authenticate(None).await?
                }
                Err(other) => return Err(other),
            },
            None => self.authenticate(None).await?,
        };
        let value = token.value.clone();
        *guard = Some(token);
        Ok(value)
    }

    /// Logs in (`renew` = `None`) or renews `renew`, inside a `secrets.login` span.
    async fn authenticate(
        &self,
        renew: Option<(&Secret<String>, Instant)>,
    ) -> Result<Token, InfisicalError> {
        let action = if renew.is_some() { "renew" } else { "login" };
        let attributes = [
            KeyValue::new(attr::SECRETS_PROVIDER, PROVIDER),
            KeyValue::new(attr::SECRETS_AUTH_ACTION, action),
            KeyValue::new(attr::SERVER_ADDRESS, self.host().to_owned()),
        ];
        in_span_async(TRACER_NAME, SecretsOp::Login, attributes, |_span| async move {
            let failed = |source| InfisicalError::Login { action, source };
            let request = match renew {
                Some((token, _)) => PeerRequest::post("/api/v1/auth/token/renew")
                    .json(&serde_json::json!({ "accessToken": token.expose() }))
                    .credential(token),
                None => PeerRequest::post("/api/v1/auth/universal-auth/login")
                    .json(&serde_json::json!({
                        "clientId": self.client_id.expose(),
                        "clientSecret": self.client_secret.expose(),
                    }))
                    .credential(&self.client_id)
                    .credential(&self.client_secret),
            };
            let started = Instant::now();
            let answer = self.send(request).await.map_err(failed)?;
            if answer.status() != 200 {
                return Err(failed(answer.error_with(peer_text(&answer))));
            }
            let granted: TokenAnswer = answer.json().map_err(failed)?;
            let ttl = Duration::from_secs(granted.expires_in);
            let max_ttl = Duration::from_secs(granted.max_ttl);
            let renewable_until = match renew {
                // A renewal never extends the identity's maximum lifetime.
                Some((_, until)) => until,
                None => started + max_ttl.saturating_sub(margin(max_ttl)),
            };
            Ok(Token {
                value: granted.access_token,
                fresh_until: started + ttl.saturating_sub(margin(ttl)),
                renewable_until,
            })
        })
        .await
    }
}

/// Whether a create was refused because the secret exists already (another writer
/// created it between the read and the create): Infisical answers 400 "Secret already
/// exist"; a 409 says the same.
pub(crate) fn already_exists(answer: &PeerAnswer) -> bool {
    match answer.status() {
        409 => true,
        400 => error_text(answer.body())
            .is_some_and(|text| text.to_ascii_lowercase().contains("already exist")),
        _ => false,
    }
}
