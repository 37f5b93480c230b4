//! Alerts over HTTP: deliveries on the peer-call path ([`crate::http::Peer`]), how an
//! answer maps to a delivery outcome, and webhook URLs whose path is their credential.
//!
//! A delivery refuses every redirect, reads the answer within the body limit and the time
//! budget (retries included), retries only 429, 503 and refused connections (each an
//! `alert.retry` event), and takes the peer's words into an error only after every
//! credential the request sent (a bearer token, a basic-auth password, a webhook URL's
//! path and query, a signature) was scrubbed from them and the rest sanitized.

use std::time::Duration;

use reqwest::{Method, Url};

use super::{DeliveryFailure, DeliveryStatus};
use crate::http::{
    CaBundleError, EndpointError, Peer, PeerAnswer, PeerError, PeerRequest, RetryEvents,
    RetryPolicy, parse_endpoint, safe_destination,
};
use crate::secret::Secret;
use crate::telemetry::{SanitizedMessage, attr};

/// The `alert.retry` event and its `alert.attempt` attribute, for [`Peer::builder`].
pub const ALERT_RETRY_EVENTS: RetryEvents =
    RetryEvents::new(attr::ALERT_RETRY_EVENT, attr::ALERT_ATTEMPT);

/// How an HTTP status ends a delivery: 2xx delivered; 4xx rejected, except 408 and 429,
/// which say "not now" rather than "no"; anything else failed.
///
/// # Examples
/// ```
/// use floe_core::plugin::categories::{DeliveryStatus, http_delivery_status};
/// assert_eq!(http_delivery_status(202), DeliveryStatus::Delivered);
/// assert_eq!(http_delivery_status(400), DeliveryStatus::Rejected);
/// assert_eq!(http_delivery_status(429), DeliveryStatus::Failed);
/// assert_eq!(http_delivery_status(503), DeliveryStatus::Failed);
/// ```
pub fn http_delivery_status(status: u16) -> DeliveryStatus {
    match status {
        200..=299 => DeliveryStatus::Delivered,
        408 | 429 => DeliveryStatus::Failed,
        400..=499 => DeliveryStatus::Rejected,
        _ => DeliveryStatus::Failed,
    }
}

/// Why an alert sent over HTTP was not delivered. Messages name the destination as
/// `host[:port]` only; a `detail` is the start of the peer's answer, scrubbed of every
/// credential the request sent, then sanitized.
#[derive(Debug, thiserror::Error)]
pub enum HttpDeliveryError {
    /// The peer answered 4xx (but 408 and 429): it refused the alert.
    #[error("{destination} rejected the alert with status {status}{}", suffix(.detail))]
    Rejected {
        /// `host[:port]`.
        destination: String,
        /// The HTTP status.
        status: u16,
        /// The start of the peer's answer.
        detail: SanitizedMessage,
    },
    /// The peer answered 5xx, or 408/429 after the last retry.
    #[error("{destination} failed to take the alert with status {status}{}", suffix(.detail))]
    Failed {
        /// `host[:port]`.
        destination: String,
        /// The HTTP status.
        status: u16,
        /// The start of the peer's answer.
        detail: SanitizedMessage,
    },
    /// No usable answer: unreachable, timed out, a redirect (never followed), an answer
    /// too large or cut short. Built only by [`deliver_http`].
    #[error(transparent)]
    Peer(PeerError),
}

fn suffix(detail: &SanitizedMessage) -> String {
    if detail.as_str().is_empty() { String::new() } else { format!(": {detail}") }
}

impl DeliveryFailure for HttpDeliveryError {
    fn delivery_status(&self) -> DeliveryStatus {
        match self {
            Self::Rejected { .. } => DeliveryStatus::Rejected,
            Self::Failed { .. } | Self::Peer(_) => DeliveryStatus::Failed,
        }
    }
}

/// Sends `request` through `peer` (a peer built with [`ALERT_RETRY_EVENTS`], so each
/// retry is an `alert.retry` event on the current span, the `alert.send` span) and maps
/// the answer: 2xx is the answer (with [`PeerAnswer::attempts`]), anything else an
/// [`HttpDeliveryError`].
///
/// # Errors
/// When the final answer is not 2xx, or there is no usable answer.
pub async fn deliver_http(
    peer: &Peer,
    request: PeerRequest,
) -> Result<PeerAnswer, HttpDeliveryError> {
    let answer = peer.send(request).await.map_err(HttpDeliveryError::Peer)?;
    let destination = answer.destination().to_owned();
    let status = answer.status();
    match http_delivery_status(status) {
        DeliveryStatus::Delivered => Ok(answer),
        DeliveryStatus::Rejected => {
            Err(HttpDeliveryError::Rejected { destination, status, detail: answer.excerpt() })
        }
        DeliveryStatus::Failed => {
            Err(HttpDeliveryError::Failed { destination, status, detail: answer.excerpt() })
        }
    }
}

/// A peer for alert deliveries to `endpoint` (`https`, plain `http` to loopback, or
/// plain `http` with `allow_insecure_http`; no user info, query or fragment): every call
/// bounded by `timeout`, retries reported as `alert.retry`.
///
/// # Errors
/// [`AlertPeerError::Endpoint`] for an endpoint that cannot carry credentials,
/// [`AlertPeerError::Client`] when the HTTP client cannot be built.
pub fn alert_peer(
    endpoint: &str,
    allow_insecure_http: bool,
    timeout: Duration,
    retry: RetryPolicy,
) -> Result<Peer, AlertPeerError> {
    Ok(Peer::builder(endpoint, allow_insecure_http, ALERT_RETRY_EVENTS)?
        .timeout(timeout)
        .retry(retry)
        .build()?)
}

/// A peer for alert deliveries could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum AlertPeerError {
    /// The endpoint cannot be used.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Client(#[from] CaBundleError),
}

/// The shortest path segment or query value of a webhook URL scrubbed on its own from
/// peer text (besides the last segment, always scrubbed): shorter ones are ids and words
/// (`services`, `v1`), the tokens of Slack, Discord, Teams and the like are longer.
const SEGMENT_SCRUB_MIN: usize = 12;

/// A webhook URL whose path and query are its credential (Slack's
/// `/services/T…/B…/<token>`, a receiver's `?token=`): accepted as `https`, plain `http`
/// to loopback, or plain `http` with `allow_insecure_http`, without user info. Only
/// [`WebhookUrl::destination`] (`host[:port]`) is ever shown; `Debug` prints nothing
/// else.
#[derive(Clone)]
pub struct WebhookUrl {
    url: Url,
    destination: String,
    credentials: Vec<Secret<String>>,
}

impl std::fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookUrl").field("destination", &self.destination).finish_non_exhaustive()
    }
}

impl WebhookUrl {
    /// Parses and checks `url`.
    ///
    /// # Errors
    /// [`EndpointError::Invalid`] (never repeating the text), [`EndpointError::Insecure`]
    /// for plain `http` that is not allowed, [`EndpointError::UnsupportedScheme`], or
    /// [`EndpointError::UserInfo`] (credentials of a webhook go in its path, or in a
    /// setting of their own).
    ///
    /// # Examples
    /// ```
    /// use floe_core::http::EndpointError;
    /// use floe_core::plugin::categories::WebhookUrl;
    ///
    /// let hook = WebhookUrl::parse("https://hooks.slack.com/services/T0/B0/s3cr3tT0k3nV4lue", false).unwrap();
    /// assert_eq!(hook.destination(), "hooks.slack.com");
    /// assert!(!format!("{hook:?}").contains("s3cr3t"));
    /// let plain = WebhookUrl::parse("http://hooks.example.com/in/x", false).unwrap_err();
    /// assert!(matches!(plain, EndpointError::Insecure { .. }));
    /// ```
    pub fn parse(url: &str, allow_insecure_http: bool) -> Result<Self, EndpointError> {
        let mut parsed = parse_endpoint(url, allow_insecure_http)?;
        let destination = safe_destination(parsed.as_str());
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(EndpointError::Invalid(url::ParseError::EmptyHost));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(EndpointError::UserInfo { destination });
        }
        // A fragment is never sent; it has no business in a delivery.
        parsed.set_fragment(None);
        let credentials = url_credentials(&parsed);
        Ok(Self { url: parsed, destination, credentials })
    }

    /// `host[:port]`, the only form of the URL that reaches a span or an error.
    pub fn destination(&self) -> &str {
        &self.destination
    }

    /// A peer for deliveries to this URL's origin (see [`alert_peer`]).
    ///
    /// # Errors
    /// [`AlertPeerError::Client`] when the HTTP client cannot be built.
    pub fn peer(&self, timeout: Duration, retry: RetryPolicy) -> Result<Peer, AlertPeerError> {
        alert_peer(&self.url.origin().ascii_serialization(), true, timeout, retry)
    }

    /// `POST` to the URL, recording its path, query and their secret-looking parts as
    /// credentials of the request, so an answer that echoes them is scrubbed.
    pub fn post(&self) -> PeerRequest {
        self.credentials
            .iter()
            .fold(PeerRequest::to_url(Method::POST, self.url.clone()), PeerRequest::credential)
    }
}

/// The parts of `url` a peer could echo that give the credential away: the URL, its path
/// and query (raw and decoded), the last path segment, and each segment or query value of
/// [`SEGMENT_SCRUB_MIN`] characters or more.
fn url_credentials(url: &Url) -> Vec<Secret<String>> {
    let decode = |text: &str| percent_decode(text);
    let mut forms = vec![url.as_str().to_owned(), url.path().to_owned(), decode(url.path())];
    if let Some(query) = url.query() {
        forms.push(format!("{}?{query}", url.path()));
        forms.push(query.to_owned());
        forms.extend(
            url.query_pairs().map(|(_, value)| value.into_owned()).filter(|v| !v.is_empty()),
        );
    }
    let segments: Vec<&str> = url.path_segments().map(Iterator::collect).unwrap_or_default();
    let last = segments.iter().rposition(|s| !s.is_empty());
    for (index, segment) in segments.iter().enumerate() {
        if Some(index) == last || segment.chars().count() >= SEGMENT_SCRUB_MIN {
            forms.push((*segment).to_owned());
            forms.push(decode(segment));
        }
    }
    forms.retain(|form| !form.is_empty() && form != "/");
    forms.sort();
    forms.dedup();
    forms.into_iter().map(Secret::new).collect()
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{HttpDeliveryError, WebhookUrl, http_delivery_status, url_credentials};
    use crate::plugin::categories::{DeliveryFailure as _, DeliveryStatus};
    use crate::telemetry::SanitizedMessage;

    #[test]
    fn statuses_map_to_delivery_outcomes() {
        use DeliveryStatus::{Delivered, Failed, Rejected};
        let outcomes: Vec<_> = [200, 202, 204, 301, 400, 401, 404, 408, 413, 429, 500, 503]
            .into_iter()
            .map(|s| (s, http_delivery_status(s)))
            .collect();
        assert_eq!(
            outcomes,
            [
                (200, Delivered),
                (202, Delivered),
                (204, Delivered),
                (301, Failed),
                (400, Rejected),
                (401, Rejected),
                (404, Rejected),
                (408, Failed),
                (413, Rejected),
                (429, Failed),
                (500, Failed),
                (503, Failed),
            ]
        );
    }

    #[test]
    fn a_rejection_names_the_destination_status_and_detail() {
        let error = HttpDeliveryError::Rejected {
            destination: "hooks.example.com".into(),
            status: 400,
            detail: SanitizedMessage::from_static("invalid_blocks"),
        };
        assert_eq!(error.delivery_status(), DeliveryStatus::Rejected);
        assert_eq!(
            error.to_string(),
            "hooks.example.com rejected the alert with status 400: invalid_blocks"
        );
        let failed = HttpDeliveryError::Failed {
            destination: "h".into(),
            status: 503,
            detail: SanitizedMessage::from_static(""),
        };
        assert_eq!(failed.delivery_status(), DeliveryStatus::Failed);
        assert_eq!(failed.to_string(), "h failed to take the alert with status 503");
    }

    #[test]
    fn a_webhook_url_is_scrubbed_in_every_part_a_peer_could_echo() {
        let url = "https://chat.example.com/v1/spaces/AAAAx9/messages?key=k3yV4lu3L0ng&token=t%2Fok3n-V4lue-9";
        let hook = WebhookUrl::parse(url, false).unwrap();
        let forms: Vec<String> =
            url_credentials(&hook.url).iter().map(|s| s.expose().clone()).collect();
        for expected in [
            url,
            "/v1/spaces/AAAAx9/messages",
            "key=k3yV4lu3L0ng&token=t%2Fok3n-V4lue-9",
            "k3yV4lu3L0ng",
            "t/ok3n-V4lue-9",
            "messages",
        ] {
            assert!(forms.iter().any(|f| f == expected), "{expected} missing from {forms:?}");
        }
        assert!(!forms.iter().any(|f| f == "v1" || f == "spaces"), "{forms:?}");
    }

    #[test]
    fn a_webhook_url_with_user_info_is_refused_without_repeating_it() {
        let error = WebhookUrl::parse("https://u:pw-s3cr3t@hooks.example.com/x", false)
            .unwrap_err()
            .to_string();
        assert!(error.contains("carries user info"), "{error}");
        assert!(!error.contains("pw-s3cr3t"), "{error}");
        assert!(WebhookUrl::parse("http://127.0.0.1:9/in/x", false).is_ok());
        assert!(WebhookUrl::parse("http://hooks.example.com/in/x", true).is_ok());
    }
}
