//! `Peer`: the one way a plugin calls a JSON API with a credential.
//!
//! Every call has a time budget (retries included), bounded retries only where safe
//! (429, 503, a refused connection; never 401 or 403), a body size limit enforced while
//! streaming, no redirects, the status code and each retry recorded on the current span,
//! and every credential it sent recorded so the answer is scrubbed of it.

use std::time::{Duration, Instant};

use opentelemetry::trace::TraceContextExt as _;
use opentelemetry::{Context, Key, KeyValue};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::{Response, Url};

use super::client::{builder, trust};
use super::endpoint::{EndpointError, destination_of, parse_base_endpoint};
use super::request::{Auth, Target};
use super::retry::{is_retryable_status, retry_after};
use super::{
    CaBundleError, ClientError, PeerAnswer, PeerError, PeerRequest, RetryEvent, RetryPolicy,
};
use crate::telemetry::attr;

/// The default limit of an answer's body: 8 MiB.
pub const DEFAULT_MAX_BODY: usize = 8 << 20;

/// The default time budget of a call: 10 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The span event and attribute a peer's retries are reported with: the category's
/// `<category>.retry` event and `<category>.attempt` key from the registry.
#[derive(Clone, Debug)]
pub struct RetryEvents {
    /// The event name (`attr::SECRETS_RETRY_EVENT`).
    pub event: &'static str,
    /// The attempt attribute (`attr::SECRETS_ATTEMPT`).
    pub attempt: Key,
}

impl RetryEvents {
    /// `event` with attribute `attempt`.
    pub const fn new(event: &'static str, attempt: Key) -> Self {
        Self { event, attempt }
    }
}

/// One peer (a Kubernetes API server, an Infisical instance, a Keycloak realm) that
/// receives credentials: its base URL and the rules of every call to it.
#[derive(Clone, Debug)]
pub struct Peer {
    client: reqwest::Client,
    base: Url,
    destination: String,
    timeout: Duration,
    max_body: usize,
    retry: RetryPolicy,
    events: RetryEvents,
}

/// Builds a [`Peer`]: [`Peer::builder`], then the settings that differ from the
/// defaults, then [`PeerBuilder::build`].
#[derive(Debug)]
pub struct PeerBuilder {
    base: Url,
    events: RetryEvents,
    timeout: Duration,
    max_body: usize,
    retry: RetryPolicy,
    ca_bundle: Option<Vec<u8>>,
}

impl Peer {
    /// A peer at `endpoint`, which must be `https`, plain `http` to loopback, or plain
    /// `http` with `allow_insecure_http` (the config key of that name), with no user
    /// info, query or fragment ([`super::parse_base_endpoint`]). Retries are reported
    /// as `events`.
    ///
    /// # Errors
    /// An [`EndpointError`] naming what is wrong with the URL (never the URL itself).
    ///
    /// # Examples
    /// ```
    /// use floe_core::http::{EndpointError, Peer, RetryEvents};
    /// use floe_core::telemetry::attr;
    ///
    /// let events = RetryEvents::new(attr::SECRETS_RETRY_EVENT, attr::SECRETS_ATTEMPT);
    /// assert!(Peer::builder("https://kubernetes.default.svc", false, events.clone()).is_ok());
    /// let plain = Peer::builder("http://10.0.0.1:8080", false, events.clone()).unwrap_err();
    /// assert!(matches!(plain, EndpointError::Insecure { .. }));
    /// assert!(Peer::builder("http://10.0.0.1:8080", true, events).is_ok());
    /// ```
    pub fn builder(
        endpoint: &str,
        allow_insecure_http: bool,
        events: RetryEvents,
    ) -> Result<PeerBuilder, EndpointError> {
        let base = parse_base_endpoint(endpoint, allow_insecure_http)?;
        Ok(PeerBuilder {
            base,
            events,
            timeout: DEFAULT_TIMEOUT,
            max_body: DEFAULT_MAX_BODY,
            retry: RetryPolicy::default(),
            ca_bundle: None,
        })
    }

    /// The peer as `host[:port]`, the only form of it that reaches a span or an error.
    pub fn destination(&self) -> &str {
        &self.destination
    }

    /// The peer's host, for `server.address`.
    pub fn host(&self) -> &str {
        self.base.host_str().unwrap_or_default()
    }

    /// The base URL (never record it: use [`Peer::destination`]).
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The time budget of one call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Uses `retry` from now on (tests keep backoffs short).
    pub fn set_retry_policy(&mut self, retry: RetryPolicy) {
        self.retry = retry;
    }

    /// Checks an endpoint the peer announced (a discovery document's `token_endpoint`):
    /// it must be on the peer's origin (same scheme, host and port), so credentials
    /// never leave for another host, or go there over plain `http`.
    ///
    /// # Errors
    /// [`EndpointError::Invalid`] or [`EndpointError::OtherOrigin`].
    pub fn check_url(&self, url: &str) -> Result<Url, EndpointError> {
        let parsed = Url::parse(url).map_err(EndpointError::Invalid)?;
        if parsed.origin() == self.base.origin() {
            Ok(parsed)
        } else {
            Err(EndpointError::OtherOrigin {
                destination: destination_of(&parsed),
                expected: self.destination.clone(),
            })
        }
    }

    fn url(&self, target: &Target) -> Result<Url, PeerError> {
        let refused = |reason| PeerError::Request { destination: self.destination.clone(), reason };
        match target {
            Target::Path(path) if !path.starts_with('/') => {
                Err(refused("the path does not start with /"))
            }
            Target::Path(path) => {
                let base = self.base.as_str().trim_end_matches('/');
                Url::parse(&format!("{base}{path}"))
                    .map_err(|_| refused("the path does not form a valid URL"))
            }
            Target::Url(url) if url.origin() == self.base.origin() => Ok(url.clone()),
            Target::Url(_) => Err(refused("the URL is not on the peer's origin")),
        }
    }

    fn build(&self, request: &PeerRequest, url: &Url, budget: Duration) -> reqwest::RequestBuilder {
        let mut url = url.clone();
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        let mut built = self.client.request(request.method.clone(), url).timeout(budget);
        for (name, value) in &request.headers {
            built = built.header(name.clone(), value.clone());
        }
        built = match &request.auth {
            Some(Auth::Bearer(token)) => built.bearer_auth(token.expose()),
            Some(Auth::Basic(user, password)) => built.basic_auth(user, Some(password.expose())),
            None => built,
        };
        if let Some(body) = &request.body {
            built = built.header(CONTENT_TYPE, body.content_type.as_str()).body(body.bytes.clone());
        }
        built
    }

    /// Sends `request` and reads the whole answer within the peer's time budget and body
    /// limit. 429, 503 and refused connections are retried while the policy and the
    /// budget allow (each a retry event on the current span); the final status is
    /// `http.response.status_code` on the current span (the operation's span:
    /// `in_span_async` and `#[traced]` make it current).
    ///
    /// Any status comes back as a [`PeerAnswer`] for the plugin to read, except a 3xx.
    ///
    /// # Errors
    /// [`PeerError::Redirected`] for a 3xx (never followed), [`PeerError::TimedOut`],
    /// [`PeerError::Unreachable`], [`PeerError::NoAnswer`], [`PeerError::Incomplete`],
    /// [`PeerError::TooLarge`], or [`PeerError::Request`] for a request that cannot be
    /// made.
    pub async fn send(&self, request: PeerRequest) -> Result<PeerAnswer, PeerError> {
        let destination = || self.destination.clone();
        if let Some(reason) = request.invalid {
            return Err(PeerError::Request { destination: destination(), reason });
        }
        let url = self.url(&request.target)?;
        let deadline = Instant::now() + self.timeout;
        let timed_out =
            || PeerError::TimedOut { destination: destination(), timeout: self.timeout };
        let mut backoff = self.retry.initial_backoff;
        let mut attempt = 1;
        loop {
            let budget = deadline.saturating_duration_since(Instant::now());
            if budget.is_zero() {
                return Err(timed_out());
            }
            let sent =
                tokio::time::timeout(budget, self.build(&request, &url, budget).send()).await;
            let result = sent.map_err(|_| timed_out())?;
            let hint = result.as_ref().ok().and_then(retry_after);
            let retryable = match &result {
                Ok(response) => is_retryable_status(response.status()),
                Err(error) => error.is_connect(),
            };
            let wait = hint.unwrap_or(backoff).min(self.retry.max_backoff);
            let room = deadline.saturating_duration_since(Instant::now());
            if retryable && attempt < self.retry.max_attempts.max(1) && wait < room {
                let status = result.as_ref().ok().map(|r| r.status().as_u16());
                let event = RetryEvent { attempt, status, backoff: wait };
                Context::map_current(|cx| {
                    cx.span().add_event(
                        self.events.event,
                        event.attributes(self.events.attempt.clone()),
                    );
                });
                drop(result);
                tokio::time::sleep(wait).await;
                backoff = (backoff * 2).min(self.retry.max_backoff);
                attempt += 1;
                continue;
            }
            let response = result.map_err(|error| self.transport(error))?;
            return self.read(response, deadline, request.credentials, attempt).await;
        }
    }

    fn transport(&self, error: reqwest::Error) -> PeerError {
        let destination = self.destination.clone();
        if error.is_timeout() {
            PeerError::TimedOut { destination, timeout: self.timeout }
        } else if error.is_connect() {
            PeerError::Unreachable { destination, source: error.without_url() }
        } else {
            PeerError::NoAnswer { destination, source: error.without_url() }
        }
    }

    /// Reads the body of `response` up to the limit, before `deadline`.
    async fn read(
        &self,
        mut response: Response,
        deadline: Instant,
        credentials: super::SentCredentials,
        attempts: u32,
    ) -> Result<PeerAnswer, PeerError> {
        let destination = self.destination.clone();
        let status = response.status().as_u16();
        Context::map_current(|cx| {
            cx.span()
                .set_attribute(KeyValue::new(attr::HTTP_RESPONSE_STATUS_CODE, i64::from(status)));
        });
        if response.status().is_redirection() {
            return Err(PeerError::Redirected { destination, status });
        }
        let too_large = || PeerError::TooLarge {
            destination: self.destination.clone(),
            status,
            limit: self.max_body,
        };
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|length| length > self.max_body as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        let budget = deadline.saturating_duration_since(Instant::now());
        let reading = async {
            while let Some(chunk) = response.chunk().await.map_err(|error| {
                if error.is_timeout() {
                    PeerError::TimedOut {
                        destination: self.destination.clone(),
                        timeout: self.timeout,
                    }
                } else {
                    PeerError::Incomplete {
                        destination: self.destination.clone(),
                        source: error.without_url(),
                    }
                }
            })? {
                if body.len() + chunk.len() > self.max_body {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(())
        };
        match tokio::time::timeout(budget, reading).await {
            Ok(Ok(())) => Ok(PeerAnswer { status, body, destination, credentials, attempts }),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(PeerError::TimedOut { destination, timeout: self.timeout }),
        }
    }
}

impl PeerBuilder {
    /// The time budget of each call, retries and reading the answer included (default
    /// [`DEFAULT_TIMEOUT`]).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest answer body read, in bytes (default [`DEFAULT_MAX_BODY`]); a larger
    /// one is refused without being read past the limit.
    #[must_use]
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    #[must_use]
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Trusts the PEM certificates of `ca_bundle` besides the default roots (a
    /// cluster's `ca.crt`).
    #[must_use]
    pub fn ca_bundle(mut self, ca_bundle: Vec<u8>) -> Self {
        self.ca_bundle = Some(ca_bundle);
        self
    }

    /// The peer.
    ///
    /// # Errors
    /// [`CaBundleError`] when the CA bundle holds no usable certificate or the TLS
    /// set-up fails.
    pub fn build(self) -> Result<Peer, CaBundleError> {
        // Redirects are never followed: a redirect to another origin would carry the
        // body (307/308) to it, and reqwest forwards the Authorization header on a
        // redirect within the origin; the JSON APIs floe calls never redirect.
        let mut client = builder(self.timeout).redirect(reqwest::redirect::Policy::none());
        if let Some(bundle) = &self.ca_bundle {
            client = trust(client, bundle)?;
        }
        Ok(Peer {
            client: client.build().map_err(ClientError)?,
            destination: destination_of(&self.base),
            base: self.base,
            timeout: self.timeout,
            max_body: self.max_body,
            retry: self.retry,
            events: self.events,
        })
    }
}
