//! The Kubernetes API calls: one `call` that authenticates, retries what is safe to retry
//! and reports each retry on the span, and the decoding of `Status` failure bodies.

use std::path::{Path, PathBuf};
use std::time::Duration;

use floe_core::KeyValue;
use floe_core::http::{RetryPolicy, client, client_with_ca, safe_destination, send_with_retry};
use floe_core::secret::Secret;
use floe_core::telemetry::{SpanRecorder, attr, sanitize_error_message};
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::Deserialize;

use crate::config::{IN_CLUSTER_CA_FILE, IN_CLUSTER_TOKEN_FILE, K8sSecretsConfig};
use crate::error::{Action, K8sSecretsError};

/// How the plugin authenticates.
#[derive(Debug)]
enum Auth {
    Token(Secret<String>),
    TokenFile(PathBuf),
    Anonymous,
}

/// A connection to one namespace of one API server.
#[derive(Debug)]
pub(crate) struct Api {
    client: reqwest::Client,
    base: String,
    host: String,
    destination: String,
    namespace: String,
    auth: Auth,
    retry: RetryPolicy,
}

/// A request body and its content type.
pub(crate) struct Body {
    pub(crate) content_type: &'static str,
    pub(crate) bytes: Vec<u8>,
}

/// What the API server answered.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// A Kubernetes `Status` (the body of every failure answer).
#[derive(Debug, Default, Deserialize)]
struct Status {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    message: String,
}

/// Whether `name` is a DNS-1123 subdomain (the rule for Secret and namespace names).
pub(crate) fn is_dns1123_subdomain(name: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    !name.is_empty()
        && name.len() <= 253
        && name.chars().all(|c| alnum(c) || c == '-' || c == '.')
        && name.starts_with(alnum)
        && name.ends_with(alnum)
}

/// Whether `key` is a valid key of a Secret's `data`.
pub(crate) fn is_data_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 253
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

fn config_error(reason: impl Into<String>) -> K8sSecretsError {
    K8sSecretsError::Config { reason: reason.into() }
}

impl Api {
    /// Checks the config and builds the client (no network call).
    pub(crate) fn new(config: &K8sSecretsConfig) -> Result<Self, K8sSecretsError> {
        let url = url::Url::parse(&config.api_server)
            .map_err(|_| config_error("api_server is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(config_error("api_server must be an http(s) URL with a host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(config_error("api_server must not carry credentials; use token"));
        }
        if url.query().is_some() {
            return Err(config_error("api_server must not have a query"));
        }
        if !is_dns1123_subdomain(&config.namespace) || config.namespace.contains('.') {
            return Err(config_error("namespace is not a DNS-1123 label"));
        }
        if config.timeout_secs == 0 {
            return Err(config_error("timeout_secs must be at least 1"));
        }
        if config.anonymous && (config.token.is_some() || config.token_file.is_some()) {
            return Err(config_error("anonymous excludes token and token_file"));
        }
        let timeout = Duration::from_secs(config.timeout_secs);
        let ca_file = config.ca_file.clone().or_else(|| {
            let in_cluster = Path::new(IN_CLUSTER_CA_FILE);
            (url.scheme() == "https" && in_cluster.is_file()).then(|| in_cluster.to_owned())
        });
        let client = match &ca_file {
            Some(path) => {
                let pem = std::fs::read(path).map_err(|source| K8sSecretsError::CaBundle {
                    path: path.clone(),
                    source: Box::new(source),
                })?;
                client_with_ca(timeout, &pem).map_err(|source| K8sSecretsError::CaBundle {
                    path: path.clone(),
                    source: Box::new(source),
                })?
            }
            None => client(timeout).map_err(|_| {
                config_error("the HTTP client cannot be built with this TLS set-up")
            })?,
        };
        let auth = match (&config.token, &config.token_file, config.anonymous) {
            (_, _, true) => Auth::Anonymous,
            (Some(token), _, false) => Auth::Token(token.clone()),
            (None, Some(file), false) => Auth::TokenFile(file.clone()),
            (None, None, false) => Auth::TokenFile(PathBuf::from(IN_CLUSTER_TOKEN_FILE)),
        };
        Ok(Self {
            client,
            base: config.api_server.trim_end_matches('/').to_owned(),
            host: url.host_str().unwrap_or_default().to_owned(),
            destination: safe_destination(&config.api_server),
            namespace: config.namespace.clone(),
            auth,
            retry: RetryPolicy::default(),
        })
    }

    /// Uses `retry` instead of the default policy (tests keep backoffs short).
    pub(crate) fn set_retry_policy(&mut self, retry: RetryPolicy) {
        self.retry = retry;
    }

    /// The namespace.
    pub(crate) fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The API server's host, for `server.address`.
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// The bearer token for the next call (the file is read each time: it rotates).
    pub(crate) fn token(&self) -> Result<Option<Secret<String>>, K8sSecretsError> {
        match &self.auth {
            Auth::Token(token) => Ok(Some(token.clone())),
            Auth::Anonymous => Ok(None),
            Auth::TokenFile(path) => std::fs::read_to_string(path)
                .map(|text| Some(Secret::new(text.trim().to_owned())))
                .map_err(|source| K8sSecretsError::TokenFile { path: path.clone(), source }),
        }
    }

    /// `/api/v1/namespaces/<ns>/secrets[/<name>]`.
    pub(crate) fn path(&self, name: Option<&str>) -> String {
        match name {
            Some(name) => {
                format!("{}/api/v1/namespaces/{}/secrets/{name}", self.base, self.namespace)
            }
            None => format!("{}/api/v1/namespaces/{}/secrets", self.base, self.namespace),
        }
    }

    /// Sends one request; 429, 503 and refused connections are retried (the API server
    /// did not act on them), each retry a `secrets.retry` event on `span`.
    pub(crate) async fn call(
        &self,
        span: &SpanRecorder,
        (action, name): (Action, &str),
        method: Method,
        url: &str,
        query: &[(&str, &str)],
        body: Option<Body>,
    ) -> Result<Answer, K8sSecretsError> {
        let token = self.token()?;
        let mut url = url::Url::parse(url).map_err(|_| K8sSecretsError::Config {
            reason: "api_server does not form a valid request URL".to_owned(),
        })?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let sent = send_with_retry(
            &self.retry,
            || {
                let mut request = self
                    .client
                    .request(method.clone(), url.clone())
                    .header(ACCEPT, "application/json");
                if let Some(token) = &token {
                    request = request.bearer_auth(token.expose());
                }
                if let Some(body) = &body {
                    request =
                        request.header(CONTENT_TYPE, body.content_type).body(body.bytes.clone());
                }
                request
            },
            |retry| {
                span.add_event(attr::SECRETS_RETRY_EVENT, retry.attributes(attr::SECRETS_ATTEMPT));
            },
        )
        .await;
        let transport = |source: reqwest::Error| K8sSecretsError::Transport {
            action,
            name: name.to_owned(),
            destination: self.destination.clone(),
            source: source.without_url(),
        };
        let response = sent.result.map_err(transport)?;
        let status = response.status().as_u16();
        span.set_attribute(KeyValue::new(attr::HTTP_RESPONSE_STATUS_CODE, i64::from(status)));
        let body = response.bytes().await.map_err(transport)?.to_vec();
        Ok(Answer { status, body })
    }

    /// The error for a failure answer, from its `Status` body.
    pub(crate) fn refused(
        &self,
        (action, name): (Action, &str),
        answer: &Answer,
    ) -> K8sSecretsError {
        let status: Status = serde_json::from_slice(&answer.body).unwrap_or_default();
        K8sSecretsError::Api {
            action,
            name: name.to_owned(),
            namespace: self.namespace.clone(),
            code: answer.status,
            reason: if status.reason.is_empty() { "Unknown".to_owned() } else { status.reason },
            message: sanitize_error_message(&status.message),
        }
    }

    /// Parses a success body as `T`.
    pub(crate) fn parse<T: serde::de::DeserializeOwned>(
        (action, name): (Action, &str),
        answer: &Answer,
    ) -> Result<T, K8sSecretsError> {
        serde_json::from_slice(&answer.body).map_err(|e| K8sSecretsError::Protocol {
            action,
            name: name.to_owned(),
            // serde_json's message names the position and expectation, never the input.
            detail: format!("the body is not the expected JSON ({})", e.classify_text()),
        })
    }
}

/// A short word for a JSON error's category.
trait ClassifyText {
    fn classify_text(&self) -> &'static str;
}

impl ClassifyText for serde_json::Error {
    fn classify_text(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "wrong shape",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}
