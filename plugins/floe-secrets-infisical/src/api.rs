//! Calls to the Infisical REST API: Universal Auth (login, renewal before expiry, a fresh
//! login when a token is refused), bounded retries of rate-limited answers, and the
//! decoding of error bodies.

use std::time::{Duration, Instant};

use floe_core::KeyValue;
use floe_core::http::{RetryPolicy, client, safe_destination, send_with_retry};
use floe_core::secret::Secret;
use floe_core::telemetry::{SpanRecorder, attr, in_span_async, sanitize_error_message};
use reqwest::Method;
use serde::Deserialize;

use crate::config::InfisicalConfig;
use crate::error::InfisicalError;
use crate::telemetry::{PROVIDER, SecretsOp, TRACER_NAME};

/// A token is renewed this long before it expires (or at 90% of a shorter lifetime).
const RENEW_MARGIN: Duration = Duration::from_secs(30);

/// What Infisical answered.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// An Infisical error body: `{"statusCode", "message", "error"}`.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: serde_json::Value,
    #[serde(default)]
    error: String,
}

impl ErrorBody {
    fn of(answer: &Answer) -> (String, floe_core::telemetry::SanitizedMessage) {
        let body: Self = serde_json::from_slice(&answer.body).unwrap_or_default();
        let message = match body.message {
            serde_json::Value::String(text) => text,
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        let error = if body.error.is_empty() { "Unknown".to_owned() } else { body.error };
        (error, sanitize_error_message(&message))
    }
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

fn margin(ttl: Duration) -> Duration {
    RENEW_MARGIN.min(ttl / 10)
}

/// A client for one Infisical instance and machine identity.
#[derive(Debug)]
pub(crate) struct Infisical {
    http: reqwest::Client,
    base: String,
    host: String,
    destination: String,
    client_id: String,
    client_secret: Secret<String>,
    retry: RetryPolicy,
    token: tokio::sync::Mutex<Option<Token>>,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token").field("value", &self.value).finish_non_exhaustive()
    }
}

fn config_error(reason: &str) -> InfisicalError {
    InfisicalError::Config { reason: reason.to_owned() }
}

/// Parses a success body as `T`; a parse error is reduced to its category, because serde
/// messages can quote the input (a secret value).
pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    action: &'static str,
    answer: &Answer,
) -> Result<T, InfisicalError> {
    serde_json::from_slice(&answer.body).map_err(|e| InfisicalError::Protocol {
        action,
        detail: format!("the body is not the expected JSON ({:?})", e.classify()),
    })
}

impl Infisical {
    pub(crate) fn new(config: &InfisicalConfig) -> Result<Self, InfisicalError> {
        let url =
            url::Url::parse(&config.site_url).map_err(|_| config_error("site_url is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(config_error("site_url must be an http(s) URL with a host"));
        }
        if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
            return Err(config_error("site_url must not carry credentials or a query"));
        }
        if config.client_id.trim().is_empty() || config.client_secret.expose().trim().is_empty() {
            return Err(config_error("client_id and client_secret must not be empty"));
        }
        if config.timeout_secs == 0 {
            return Err(config_error("timeout_secs must be at least 1"));
        }
        let http = client(Duration::from_secs(config.timeout_secs))
            .map_err(|_| config_error("the HTTP client cannot be built with this TLS set-up"))?;
        Ok(Self {
            http,
            base: config.site_url.trim_end_matches('/').to_owned(),
            host: url.host_str().unwrap_or_default().to_owned(),
            destination: safe_destination(&config.site_url),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            retry: RetryPolicy::default(),
            token: tokio::sync::Mutex::new(None),
        })
    }

    pub(crate) fn set_retry_policy(&mut self, retry: RetryPolicy) {
        self.retry = retry;
    }

    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// Sends one request; 429, 503 and refused connections are retried (Infisical did
    /// not act on them), each retry a `secrets.retry` event on `span`.
    pub(crate) async fn send(
        &self,
        span: &SpanRecorder,
        action: &'static str,
        (method, path): (Method, &str),
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
        token: Option<&Secret<String>>,
    ) -> Result<Answer, InfisicalError> {
        let mut url = url::Url::parse(&format!("{}{path}", self.base))
            .map_err(|_| config_error("site_url does not form a valid request URL"))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let sent = send_with_retry(
            &self.retry,
            || {
                let mut request = self.http.request(method.clone(), url.clone());
                if let Some(token) = token {
                    request = request.bearer_auth(token.expose());
                }
                if let Some(body) = body {
                    request = request.json(body);
                }
                request
            },
            |retry| {
                span.add_event(attr::SECRETS_RETRY_EVENT, retry.attributes(attr::SECRETS_ATTEMPT));
            },
        )
        .await;
        let transport = |source: reqwest::Error| InfisicalError::Transport {
            action,
            destination: self.destination.clone(),
            source: source.without_url(),
        };
        let response = sent.result.map_err(transport)?;
        let status = response.status().as_u16();
        span.set_attribute(KeyValue::new(attr::HTTP_RESPONSE_STATUS_CODE, i64::from(status)));
        let body = response.bytes().await.map_err(transport)?.to_vec();
        Ok(Answer { status, body })
    }

    /// Sends an authenticated request; a 401 (the token expired or was revoked on the
    /// server) drops the token, logs in again and sends once more.
    pub(crate) async fn authed(
        &self,
        span: &SpanRecorder,
        action: &'static str,
        target: (Method, &str),
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<Answer, InfisicalError> {
        let token = self.access_token().await?;
        let answer = self.send(span, action, target.clone(), query, body, Some(&token)).await?;
        if answer.status != 401 {
            return Ok(answer);
        }
        self.forget(&token).await;
        let token = self.access_token().await?;
        self.send(span, action, target, query, body, Some(&token)).await
    }

    /// The error for a failed secrets call.
    pub(crate) fn refused(
        action: &'static str,
        key: &str,
        environment: &str,
        answer: &Answer,
    ) -> InfisicalError {
        let (error, message) = ErrorBody::of(answer);
        InfisicalError::Api {
            action,
            key: key.to_owned(),
            environment: environment.to_owned(),
            code: answer.status,
            error,
            message,
        }
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
                Err(InfisicalError::Auth { .. }) => self.authenticate(None).await?,
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
            KeyValue::new(attr::SERVER_ADDRESS, self.host.clone()),
        ];
        in_span_async(TRACER_NAME, SecretsOp::Login, attributes, |span| async move {
            let (path, body) = match renew {
                Some((token, _)) => (
                    "/api/v1/auth/token/renew",
                    serde_json::json!({ "accessToken": token.expose() }),
                ),
                None => (
                    "/api/v1/auth/universal-auth/login",
                    serde_json::json!({
                        "clientId": self.client_id,
                        "clientSecret": self.client_secret.expose(),
                    }),
                ),
            };
            let started = Instant::now();
            let answer =
                self.send(&span, action, (Method::POST, path), &[], Some(&body), None).await?;
            if answer.status != 200 {
                let (error, message) = ErrorBody::of(&answer);
                return Err(InfisicalError::Auth { action, code: answer.status, error, message });
            }
            let granted: TokenAnswer = parse(action, &answer)?;
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
