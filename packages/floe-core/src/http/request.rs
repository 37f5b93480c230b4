//! `PeerRequest`: one request to a [`crate::http::Peer`], and the credentials it carries.
//!
//! Every way of attaching a credential (`bearer`, `basic`, `header_secret`,
//! `query_secret`, `form_secret`, `credential` for a value inside a JSON body) also
//! records it, so that whatever the peer answers is scrubbed of it before it reaches an
//! error or a span.

use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde::Serialize;

use super::SentCredentials;
use crate::secret::Secret;

/// Where a request goes.
#[derive(Clone, Debug)]
pub(crate) enum Target {
    /// Appended to the peer's base URL as written (already percent-encoded).
    Path(String),
    /// An absolute URL (an endpoint the peer announced); sent only if it is on the
    /// peer's origin.
    Url(Url),
}

/// The body of a request.
#[derive(Clone)]
pub(crate) struct Body {
    pub(crate) content_type: String,
    pub(crate) bytes: Vec<u8>,
}

/// How a request authenticates.
#[derive(Clone)]
pub(crate) enum Auth {
    Bearer(Secret<String>),
    Basic(String, Secret<String>),
}

/// One request to a [`crate::http::Peer`]: method, target, query, headers, credentials
/// and body. Sent (and re-sent on a retry) by [`crate::http::Peer::send`].
///
/// # Examples
/// ```
/// use floe_core::http::PeerRequest;
/// use floe_core::secret::Secret;
///
/// let token = Secret::new("t0ken".to_owned());
/// let request = PeerRequest::get("/api/v1/namespaces/ns/secrets")
///     .query("limit", "500")
///     .bearer(&token)
///     .accept_json();
/// assert!(!request.credentials().is_empty());
/// ```
#[derive(Clone)]
pub struct PeerRequest {
    pub(crate) method: Method,
    pub(crate) target: Target,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) auth: Option<Auth>,
    pub(crate) body: Option<Body>,
    /// Set when a body could not be serialized; reported by `send`.
    pub(crate) invalid: Option<&'static str>,
    pub(crate) credentials: SentCredentials,
}

impl std::fmt::Debug for PeerRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the query, headers or body: they may hold credentials.
        let target = match &self.target {
            Target::Path(path) => path.clone(),
            Target::Url(url) => url.path().to_owned(),
        };
        f.debug_struct("PeerRequest")
            .field("method", &self.method)
            .field("path", &target)
            .finish_non_exhaustive()
    }
}

impl PeerRequest {
    /// A request for `path` (starting with `/`), appended to the peer's base URL as
    /// written (percent-encode names that come from users).
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self::with_target(method, Target::Path(path.into()))
    }

    /// A request for an absolute URL, such as an endpoint a discovery document
    /// announced. [`crate::http::Peer::send`] refuses it unless it is on the peer's
    /// origin (and, for plain `http`, unless the peer's base is plain `http` too).
    pub fn to_url(method: Method, url: Url) -> Self {
        Self::with_target(method, Target::Url(url))
    }

    fn with_target(method: Method, target: Target) -> Self {
        Self {
            method,
            target,
            query: Vec::new(),
            headers: Vec::new(),
            auth: None,
            body: None,
            invalid: None,
            credentials: SentCredentials::new(),
        }
    }

    /// `GET path`.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    /// `POST path`.
    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }

    /// `PATCH path`.
    pub fn patch(path: impl Into<String>) -> Self {
        Self::new(Method::PATCH, path)
    }

    /// `PUT path`.
    pub fn put(path: impl Into<String>) -> Self {
        Self::new(Method::PUT, path)
    }

    /// `DELETE path`.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// Adds a query parameter (form-encoded when sent).
    #[must_use]
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Adds a query parameter whose value is a credential (an API key in the query).
    #[must_use]
    pub fn query_secret(mut self, name: &str, value: &Secret<String>) -> Self {
        self.credentials.add(value.expose());
        self.query.push((name.to_owned(), value.expose().clone()));
        self
    }

    /// Adds a header. A name or value that is not valid HTTP makes `send` fail with
    /// [`crate::http::PeerError::Request`].
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            (Ok(name), Ok(value)) => self.headers.push((name, value)),
            _ => self.invalid = Some("a header name or value is not valid HTTP"),
        }
        self
    }

    /// Adds a header whose value is a credential (`X-Api-Key`); marked sensitive, so
    /// the HTTP stack never prints it.
    #[must_use]
    pub fn header_secret(mut self, name: &str, value: &Secret<String>) -> Self {
        self.credentials.add(value.expose());
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value.expose())) {
            (Ok(name), Ok(mut header)) => {
                header.set_sensitive(true);
                self.headers.push((name, header));
            }
            _ => self.invalid = Some("a header name or credential is not valid HTTP"),
        }
        self
    }

    /// `Accept: application/json`.
    #[must_use]
    pub fn accept_json(self) -> Self {
        self.header("accept", "application/json")
    }

    /// `Authorization: Bearer <token>`.
    #[must_use]
    pub fn bearer(mut self, token: &Secret<String>) -> Self {
        self.credentials.add(token.expose());
        self.auth = Some(Auth::Bearer(token.clone()));
        self
    }

    /// `Authorization: Basic base64(user:password)`.
    #[must_use]
    pub fn basic(mut self, user: &str, password: &Secret<String>) -> Self {
        self.credentials.add_basic(user, password.expose());
        self.auth = Some(Auth::Basic(user.to_owned(), password.clone()));
        self
    }

    /// Records `value` as a credential this request carries somewhere the other methods
    /// do not see (a field of a JSON body, a value written to the peer), so the answer is
    /// scrubbed of it.
    #[must_use]
    pub fn credential(mut self, value: &Secret<String>) -> Self {
        self.credentials.add(value.expose());
        self
    }

    /// A JSON body (`Content-Type: application/json`). Values inside it that are
    /// credentials must also be given to [`PeerRequest::credential`].
    #[must_use]
    pub fn json<T: Serialize + ?Sized>(self, body: &T) -> Self {
        self.json_as("application/json", body)
    }

    /// A JSON body with another content type (`application/merge-patch+json`).
    #[must_use]
    pub fn json_as<T: Serialize + ?Sized>(mut self, content_type: &str, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Some(Body { content_type: content_type.to_owned(), bytes }),
            Err(_) => self.invalid = Some("the JSON body cannot be serialized"),
        }
        self
    }

    /// A body of exactly `bytes` with `content_type`: for a payload whose bytes matter
    /// (one a signature covers). Credentials inside it must also be given to
    /// [`PeerRequest::credential`].
    #[must_use]
    pub fn body(mut self, content_type: &str, bytes: Vec<u8>) -> Self {
        self.body = Some(Body { content_type: content_type.to_owned(), bytes });
        self
    }

    /// An `application/x-www-form-urlencoded` body of `fields` (no credential among
    /// them; add those with [`PeerRequest::form_secret`]).
    #[must_use]
    pub fn form(mut self, fields: &[(&str, &str)]) -> Self {
        for (name, value) in fields {
            self = self.form_field(name, value);
        }
        self
    }

    /// Adds a credential field to the form body (`client_secret`, `password`).
    #[must_use]
    pub fn form_secret(mut self, name: &str, value: &Secret<String>) -> Self {
        self.credentials.add(value.expose());
        self.form_field(name, value.expose())
    }

    fn form_field(mut self, name: &str, value: &str) -> Self {
        const FORM: &str = "application/x-www-form-urlencoded";
        let body = self
            .body
            .get_or_insert_with(|| Body { content_type: FORM.to_owned(), bytes: Vec::new() });
        if body.content_type != FORM {
            self.invalid = Some("a form field was added to a body that is not a form");
            return self;
        }
        let mut text = String::from_utf8_lossy(&body.bytes).into_owned();
        url::form_urlencoded::Serializer::for_suffix(&mut text, 0).append_pair(name, value);
        body.bytes = text.into_bytes();
        self
    }

    /// The credentials this request carries, in every form a peer could echo them.
    pub fn credentials(&self) -> &SentCredentials {
        &self.credentials
    }
}
