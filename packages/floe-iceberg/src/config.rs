//! How to reach a catalog: its URI, warehouse, prefix, timeout, extra headers and the
//! [`TokenProvider`] that authenticates each request.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use floe_core::secret::Secret;
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::IcebergError;

/// The default bound on every request, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What a [`TokenProvider`] returns: a bearer token, or `None` to send no
/// `Authorization` header.
pub type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<Secret<String>>, IcebergError>> + Send + 'a>>;

/// Supplies the bearer token of each request.
///
/// The client asks before every request, so a provider can cache a token and refresh it
/// when it expires (an `OAuth2` client-credentials flow does exactly that). It gets the
/// client's HTTP client, with its timeouts, to fetch tokens with.
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// The token for the next request.
    fn token<'a>(&'a self, http: &'a reqwest::Client) -> TokenFuture<'a>;
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
    fn token<'a>(&'a self, _http: &'a reqwest::Client) -> TokenFuture<'a> {
        let token = self.0.expose().clone();
        Box::pin(async move { Ok(Some(Secret::new(token))) })
    }
}

/// No `Authorization` header (a catalog without authentication).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoAuth;

impl TokenProvider for NoAuth {
    fn token<'a>(&'a self, _http: &'a reqwest::Client) -> TokenFuture<'a> {
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
    pub(crate) headers: HeaderMap,
    pub(crate) auth: Arc<dyn TokenProvider>,
}

impl CatalogConfig {
    /// A catalog at `uri` (`https://catalog.example.com/api/catalog`), without
    /// authentication, warehouse or prefix, with [`DEFAULT_TIMEOUT`].
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
            headers: HeaderMap::new(),
            auth: Arc::new(NoAuth),
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

    /// Bounds every request, connection included.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
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
    /// vended-credentials`). Header values are never recorded on spans.
    ///
    /// # Errors
    /// [`IcebergError::InvalidConfig`] when the name or the value is not a valid header.
    pub fn with_header(mut self, name: &str, value: &str) -> Result<Self, IcebergError> {
        let name = HeaderName::try_from(name)
            .map_err(|_| IcebergError::InvalidConfig { reason: "invalid header name" })?;
        let mut value = HeaderValue::try_from(value)
            .map_err(|_| IcebergError::InvalidConfig { reason: "invalid header value" })?;
        value.set_sensitive(true);
        self.headers.insert(name, value);
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
