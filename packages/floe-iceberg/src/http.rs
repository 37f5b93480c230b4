//! One exchange with the catalog, through floe-core's peer-call path: URL building, token
//! and headers, the status mapped to an [`IcebergError`].

use floe_core::http::{Peer, PeerAnswer, PeerRequest, RetryEvents};
use floe_core::telemetry::attr;
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::CatalogConfig;
use crate::error::{self, ConflictMeaning, IcebergError};

/// The peer of `config`: its URI under the transport rule (`https`, plain `http` to
/// loopback, or plain `http` with `allow_insecure_http`), its time budget, body limit and
/// retry policy, each retry a `catalog.retry` event.
pub(crate) fn peer(config: &CatalogConfig) -> Result<Peer, IcebergError> {
    if let Some(peer) = &config.peer {
        return Ok(peer.clone());
    }
    let events = RetryEvents::new(attr::CATALOG_RETRY_EVENT, attr::CATALOG_ATTEMPT);
    Peer::builder(config.uri.as_str(), config.allow_insecure_http, events)
        .map_err(IcebergError::Endpoint)?
        .timeout(config.timeout)
        .max_body(config.max_body)
        .retry(config.retry)
        .build()
        .map_err(|_| IcebergError::InvalidConfig {
            reason: "the HTTP client cannot be built with this TLS set-up",
        })
}

/// `<uri>/v1/[<prefix>/]<segments...>`, each segment percent-encoded.
pub(crate) fn endpoint(config: &CatalogConfig, prefix: Option<&str>, segments: &[&str]) -> Url {
    let mut url = config.uri.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        // `CatalogConfig::new` accepts only http(s) URLs with a host, which have paths.
        path.pop_if_empty().push("v1");
        if let Some(prefix) = prefix {
            path.push(prefix);
        }
        path.extend(segments);
    }
    url
}

/// Sends one request with the token (recorded so the answer is scrubbed of it), the extra
/// headers and `Accept: application/json`, and returns a 2xx answer or the error the
/// answer maps to.
pub(crate) async fn send<B: Serialize + ?Sized>(
    peer: &Peer,
    config: &CatalogConfig,
    method: Method,
    url: Url,
    body: Option<&B>,
    conflict: ConflictMeaning<'_>,
) -> Result<PeerAnswer, IcebergError> {
    let mut request = PeerRequest::to_url(method, url).accept_json();
    for (name, value) in &config.headers {
        request = request.header(name, value);
    }
    if let Some(token) = config.auth.token().await? {
        request = request.bearer(&token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let answer = peer.send(request).await.map_err(IcebergError::Transport)?;
    if answer.is_success() { Ok(answer) } else { Err(error::from_answer(&answer, conflict)) }
}

/// The body of a success answer as `T`; a body that is not kept only as serde's category.
pub(crate) fn decode<T: DeserializeOwned>(answer: &PeerAnswer) -> Result<T, IcebergError> {
    answer.json().map_err(IcebergError::Decode)
}
