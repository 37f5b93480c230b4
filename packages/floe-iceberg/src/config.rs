//! How to reach a catalog: its URI, warehouse, prefix, time budget, body limit, retry
//! policy, extra headers, the transport rule for plain `http`, and the [`TokenProvider`]
//! that authenticates each request.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use floe_core::http::{DEFAULT_MAX_BODY, Peer, RetryPolicy};
use floe_core::secret::Secret;
use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};

use crate::error::IcebergError;

/// The default time budget of every call (retries and reading the answer included).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What a [`TokenProvider`] returns: a bearer token, or `None` to send no
/// `Authorization` header.
pub type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<Secret<String>>, IcebergError>> + Send + 'a>>;

/// Supplies the bearer token of each request.
///
/// The client asks before every request, so a provider can cache a token and refresh it
/// when it expires (an `OAuth2` client-credentials flow does exactly that, with a
/// `floe_core::http::Peer` of its own for the token endpoint).
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// The token for the next request.
    fn token(&self) -> TokenFuture<'_>;
}

/// A fixed bearer token (a personal access token).
#[derive(Clone, Debug)]
pub struct StaticToken(Secret<String>);

impl StaticToken {
    /// Sends `token` as `Authorization: Bearer <token>`.
    pub fn new(token: impl Into<String>) -> Self {
        Self(Secret::new(token.into()))
    }
}

impl TokenProvider for StaticToken {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move { Ok(Some(self.0.clone())) })
    }
}

/// No `Authorization` header (a catalog without authentication).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoAuth;

impl TokenProvider for NoAuth {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async { Ok(None) })
    }
}

/// The configuration of a [`RestCatalog`](crate::RestCatalog).
#[derive(Clone, Debug)]
pub struct CatalogConfig {
    pub(crate) uri: Url,
    pub(crate) redacted_uri: String,
    pub(crate) warehouse: Option<String>,
    pub(crate) prefix: Option<String>,
    pub(crate) timeout: Duration,
    pub(crate) max_body: usize,
    pub(crate) retry: RetryPolicy,
    pub(crate) allow_insecure_http: bool,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) auth: Arc<dyn TokenProvider>,
    /// The HTTP client, once [`CatalogConfig::prepared`] built it; any setting it
    /// depends on drops it.
    pub(crate) peer: Option<Peer>,
}

impl CatalogConfig {
    /// A catalog at `uri` (`https://catalog.example.com/api/catalog`), without
    /// authentication, warehouse or prefix, with [`DEFAULT_TIMEOUT`], floe-core's
    /// default body limit and retry policy.
    ///
    /// The token goes to `uri` only if it is `https`, plain `http` to this machine, or
    /// plain `http` with [`allow_insecure_http`](Self::allow_insecure_http): connecting
    /// checks that.
    ///
    /// # Errors
    /// [`IcebergError::InvalidConfig`] when `uri` is not an absolute `http(s)` URL, or
    /// carries user info or a query (credentials go through a [`TokenProvider`]).
    pub fn new(uri: &str) -> Result<Self, IcebergError> {
        let mut uri = Url::parse(uri)
            .map_err(|_| IcebergError::InvalidConfig { reason: "the catalog URI is not a URL" })?;
        if !matches!(uri.scheme(), "http" | "https") || uri.host().is_none() {
            return Err(IcebergError::InvalidConfig {
                reason: "the catalog URI must be an http:// or https:// URL with a host",
            });
        }
        if !uri.username().is_empty() || uri.password().is_some() {
            return Err(IcebergError::InvalidConfig {
                reason: "the catalog URI must not carry user info: pass credentials through a \
                         TokenProvider",
            });
        }
        if uri.query().is_some() || uri.fragment().is_some() {
            return Err(IcebergError::InvalidConfig {
                reason: "the catalog URI must not have a query or a fragment",
            });
        }
        if !uri.path().ends_with('/') {
            let path = format!("{}/", uri.path());
            uri.set_path(&path);
        }
        let redacted_uri = uri.as_str().trim_end_matches('/').to_owned();
        Ok(Self {
            uri,
            redacted_uri,
            warehouse: None,
            prefix: None,
            timeout: DEFAULT_TIMEOUT,
            max_body: DEFAULT_MAX_BODY,
            retry: RetryPolicy::default(),
            allow_insecure_http: false,
            headers: Vec::new(),
            auth: Arc::new(NoAuth),
            peer: None,
        })
    }

    /// Sends `warehouse` to `GET /v1/config` and records it on spans.
    #[must_use]
    pub fn with_warehouse(mut self, warehouse: impl Into<String>) -> Self {
        self.warehouse = Some(warehouse.into());
        self
    }

    /// The path prefix to use when the catalog's configuration does not override it.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// The time budget of every call: connecting, retries and reading the answer.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.peer = None;
        self
    }

    /// The largest answer read, in bytes (default 8 MiB); a larger one is refused
    /// without being read past the limit.
    #[must_use]
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self.peer = None;
        self
    }

    /// How 429, 503 and refused connections are retried (each retry a `catalog.retry`
    /// event on the operation's span; 401 and 403 never are).
    #[must_use]
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        if let Some(peer) = &mut self.peer {
            peer.set_retry_policy(retry);
        }
        self
    }

    /// Lets the token go to a catalog over plain `http` on another machine (a trusted
    /// network); without it, plain `http` is refused unless the catalog is on loopback.
    #[must_use]
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self.peer = None;
        self
    }

    /// Checks the URI's transport and builds the HTTP client now, so that every
    /// [`RestCatalog::connect`](crate::RestCatalog::connect) of this config and of its
    /// clones shares one client and its connections (connecting builds one otherwise).
    ///
    /// # Errors
    /// [`IcebergError::Endpoint`] for a URI the token must not go to, or
    /// [`IcebergError::InvalidConfig`] when the TLS set-up fails.
    pub fn prepared(mut self) -> Result<Self, IcebergError> {
        self.peer = Some(crate::http::peer(&self)?);
        Ok(self)
    }

    /// Authenticates with a fixed bearer token.
    #[must_use]
    pub fn with_token(self, token: impl Into<String>) -> Self {
        self.with_token_provider(StaticToken::new(token))
    }

    /// Authenticates every request with `provider`.
    #[must_use]
    pub fn with_token_provider(mut self, provider: impl TokenProvider + 'static) -> Self {
        self.auth = Arc::new(provider);
        self
    }

    /// Sends `name: value` on every request (`X-Iceberg-Access-Delegation:
    /// vended-credentials`). Header values are never recorded on spans; credentials go
    /// through a [`TokenProvider`], whose token the client scrubs from the catalog's
    /// answers.
    ///
    /// # Errors
    /// [`IcebergError::InvalidConfig`] when the name or the value is not a valid header.
    pub fn with_header(mut self, name: &str, value: &str) -> Result<Self, IcebergError> {
        HeaderName::try_from(name)
            .map_err(|_| IcebergError::InvalidConfig { reason: "invalid header name" })?;
        HeaderValue::try_from(value)
            .map_err(|_| IcebergError::InvalidConfig { reason: "invalid header value" })?;
        self.headers.retain(|(known, _)| !known.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
        Ok(self)
    }

    /// The catalog URI without user info or query, as spans record it.
    pub fn redacted_uri(&self) -> &str {
        &self.redacted_uri
    }

    /// The configured warehouse.
    pub fn warehouse(&self) -> Option<&str> {
        self.warehouse.as_deref()
    }
}
