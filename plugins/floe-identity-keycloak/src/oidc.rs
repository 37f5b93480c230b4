//! HTTP to a Keycloak realm: requests with bounded retries (each an `identity.retry`
//! event), OAuth2 error bodies, the discovery document and the JWKS.

use floe_core::KeyValue;
use floe_core::http::{RetryPolicy, send_with_retry};
use floe_core::secret::Secret;
use floe_core::telemetry::{SpanRecorder, attr, sanitize_error_message};
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::Deserialize;

use crate::error::KeycloakError;

/// What Keycloak answered.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// A request: method, URL, optional bearer token and form body.
pub(crate) struct Call<'a> {
    pub(crate) action: &'static str,
    pub(crate) method: Method,
    pub(crate) url: &'a str,
    pub(crate) bearer: Option<&'a Secret<String>>,
    pub(crate) form: Option<String>,
}

/// The parts of the OpenID configuration the plugin uses.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Discovery {
    pub(crate) issuer: String,
    pub(crate) token_endpoint: String,
    #[serde(default)]
    pub(crate) userinfo_endpoint: Option<String>,
    pub(crate) jwks_uri: String,
}

/// An OAuth2 error body.
#[derive(Default, Deserialize)]
struct OAuthError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

/// The connection shared by every realm variant of a plugin.
#[derive(Debug)]
pub(crate) struct Connection {
    pub(crate) http: reqwest::Client,
    pub(crate) server: String,
    pub(crate) host: String,
    pub(crate) destination: String,
    /// The salt of `identity.subject_hash`, random per plugin instance.
    pub(crate) salt: [u8; 16],
}

impl Connection {
    /// Sends `call`, retrying 429, 503 and refused connections (Keycloak did not act on
    /// them) a bounded number of times.
    pub(crate) async fn send(
        &self,
        span: &SpanRecorder,
        retry: &RetryPolicy,
        realm: &str,
        call: Call<'_>,
    ) -> Result<Answer, KeycloakError> {
        let sent = send_with_retry(
            retry,
            || {
                let mut request = self
                    .http
                    .request(call.method.clone(), call.url)
                    .header(ACCEPT, "application/json");
                if let Some(token) = call.bearer {
                    request = request.bearer_auth(token.expose());
                }
                if let Some(form) = &call.form {
                    request = request
                        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(form.clone());
                }
                request
            },
            |event| {
                span.add_event(
                    attr::IDENTITY_RETRY_EVENT,
                    event.attributes(attr::IDENTITY_ATTEMPT),
                );
            },
        )
        .await;
        let transport = |source: reqwest::Error| KeycloakError::Transport {
            action: call.action,
            realm: realm.to_owned(),
            destination: self.destination.clone(),
            source: source.without_url(),
        };
        let response = sent.result.map_err(transport)?;
        let status = response.status().as_u16();
        span.set_attribute(KeyValue::new(attr::HTTP_RESPONSE_STATUS_CODE, i64::from(status)));
        let body = response.bytes().await.map_err(transport)?.to_vec();
        Ok(Answer { status, body })
    }

    /// `sha256:<hex>` of the salted subject: correlates one user's spans, records nobody.
    pub(crate) fn subject_hash(&self, subject: &str) -> String {
        let mut context = ring::digest::Context::new(&ring::digest::SHA256);
        context.update(&self.salt);
        context.update(subject.as_bytes());
        let digest = context.finish();
        let mut out = String::from("sha256:");
        for byte in &digest.as_ref()[..16] {
            out.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
            out.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
        }
        out
    }
}

/// The error for a failure answer, from its OAuth2 body when it has one.
pub(crate) fn refused(action: impl Into<String>, realm: &str, answer: &Answer) -> KeycloakError {
    let body: OAuthError = serde_json::from_slice(&answer.body).unwrap_or_default();
    KeycloakError::Refused {
        action: action.into(),
        realm: realm.to_owned(),
        code: answer.status,
        error: if body.error.is_empty() { "unknown_error".to_owned() } else { body.error },
        description: sanitize_error_message(&body.error_description),
    }
}

/// Parses a success body; a parse error is reduced to its category, because serde
/// messages can quote the input (a token).
pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    action: &'static str,
    realm: &str,
    answer: &Answer,
) -> Result<T, KeycloakError> {
    serde_json::from_slice(&answer.body).map_err(|e| KeycloakError::Protocol {
        action,
        realm: realm.to_owned(),
        detail: format!("the body is not the expected JSON ({:?})", e.classify()),
    })
}
