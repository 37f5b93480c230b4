//! The Kubernetes API calls, through floe-core's peer-call path: the bearer token on
//! every call, the `Status` body of a failure scrubbed of that token before it is
//! sanitized, and the names the API accepts.

use std::path::{Path, PathBuf};
use std::time::Duration;

use floe_core::http::{Peer, PeerAnswer, PeerRequest, RetryEvents, RetryPolicy};
use floe_core::secret::Secret;
use floe_core::telemetry::attr;
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
    peer: Peer,
    namespace: String,
    auth: Auth,
}

/// A Kubernetes `Status` (the body of every failure answer).
#[derive(Debug, Default, Deserialize)]
struct Status {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    message: String,
}

/// `<reason>: <message>` of a `Status` body, as the peer wrote it (the caller scrubs and
/// sanitizes it through [`PeerAnswer::peer_text`]).
fn status_text(body: &[u8]) -> Option<String> {
    let status: Status = serde_json::from_slice(body).ok()?;
    match (status.reason.is_empty(), status.message.is_empty()) {
        (true, true) => None,
        (false, true) => Some(status.reason),
        (true, false) => Some(status.message),
        (false, false) => Some(format!("{}: {}", status.reason, status.message)),
    }
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

fn config_error(key: &'static str, reason: impl Into<String>) -> K8sSecretsError {
    K8sSecretsError::Config { key, reason: reason.into() }
}

impl Api {
    /// Checks the config and builds the client (no network call).
    pub(crate) fn new(config: &K8sSecretsConfig) -> Result<Self, K8sSecretsError> {
        let events = RetryEvents::new(attr::SECRETS_RETRY_EVENT, attr::SECRETS_ATTEMPT);
        let builder = Peer::builder(&config.api_server, config.allow_insecure_http, events)
            .map_err(|error| config_error("api_server", error.to_string()))?;
        if !is_dns1123_subdomain(&config.namespace) || config.namespace.contains('.') {
            return Err(config_error("namespace", "is not a DNS-1123 label"));
        }
        if config.timeout_secs == 0 {
            return Err(config_error("timeout_secs", "must be at least 1"));
        }
        if config.anonymous && (config.token.is_some() || config.token_file.is_some()) {
            return Err(config_error("anonymous", "excludes token and token_file"));
        }
        let https = url::Url::parse(&config.api_server).is_ok_and(|url| url.scheme() == "https");
        let ca_file = config.ca_file.clone().or_else(|| {
            let in_cluster = Path::new(IN_CLUSTER_CA_FILE);
            (https && in_cluster.is_file()).then(|| in_cluster.to_owned())
        });
        let mut builder = builder.timeout(Duration::from_secs(config.timeout_secs));
        if let Some(path) = &ca_file {
            let pem = std::fs::read(path).map_err(|source| K8sSecretsError::CaBundle {
                path: path.clone(),
                source: Box::new(source),
            })?;
            builder = builder.ca_bundle(pem);
        }
        let peer = builder.build().map_err(|source| match &ca_file {
            Some(path) => {
                K8sSecretsError::CaBundle { path: path.clone(), source: Box::new(source) }
            }
            None => {
                config_error("api_server", "the HTTP client cannot be built with this TLS set-up")
            }
        })?;
        let auth = match (&config.token, &config.token_file, config.anonymous) {
            (_, _, true) => Auth::Anonymous,
            (Some(token), _, false) => Auth::Token(token.clone()),
            (None, Some(file), false) => Auth::TokenFile(file.clone()),
            (None, None, false) => Auth::TokenFile(PathBuf::from(IN_CLUSTER_TOKEN_FILE)),
        };
        Ok(Self { peer, namespace: config.namespace.clone(), auth })
    }

    /// Uses `retry` instead of the default policy (tests keep backoffs short).
    pub(crate) fn set_retry_policy(&mut self, retry: RetryPolicy) {
        self.peer.set_retry_policy(retry);
    }

    /// The namespace.
    pub(crate) fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The API server's host, for `server.address`.
    pub(crate) fn host(&self) -> &str {
        self.peer.host()
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
            Some(name) => format!("/api/v1/namespaces/{}/secrets/{name}", self.namespace),
            None => format!("/api/v1/namespaces/{}/secrets", self.namespace),
        }
    }

    fn failed(
        &self,
        (action, name): (Action, &str),
        source: floe_core::http::PeerError,
    ) -> K8sSecretsError {
        K8sSecretsError::Api {
            action,
            name: name.to_owned(),
            namespace: self.namespace.clone(),
            source,
        }
    }

    /// Sends `request` with the current token; any status comes back for the caller
    /// to read.
    pub(crate) async fn call(
        &self,
        what: (Action, &str),
        request: PeerRequest,
    ) -> Result<PeerAnswer, K8sSecretsError> {
        let mut request = request.accept_json();
        if let Some(token) = self.token()? {
            request = request.bearer(&token);
        }
        self.peer.send(request).await.map_err(|source| self.failed(what, source))
    }

    /// The error for a failure answer: its `Status` reason and message, scrubbed of the
    /// call's credentials, then sanitized.
    pub(crate) fn refused(&self, what: (Action, &str), answer: &PeerAnswer) -> K8sSecretsError {
        self.failed(what, answer.error_with(answer.peer_text(status_text)))
    }

    /// Parses a success body as `T` (a parse error keeps its category only).
    pub(crate) fn parse<T: serde::de::DeserializeOwned>(
        &self,
        what: (Action, &str),
        answer: &PeerAnswer,
    ) -> Result<T, K8sSecretsError> {
        answer.json().map_err(|source| self.failed(what, source))
    }
}
