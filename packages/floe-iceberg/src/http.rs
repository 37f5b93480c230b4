//! One HTTP exchange with the catalog: URL building, token and headers, status mapping.

use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::CatalogConfig;
use crate::error::{self, ConflictMeaning, IcebergError};

/// `<uri>/v1/[<prefix>/]<segments...>`, each segment percent-encoded.
pub(crate) fn endpoint(config: &CatalogConfig, prefix: Option<&str>, segments: &[&str]) -> Url {
    let mut url = config.uri.clone();
    {
        let mut path = url
            .path_segments_mut()
            .expect("CatalogConfig::new accepts only http(s) URLs with a host, which have paths");
        path.pop_if_empty().push("v1");
        if let Some(prefix) = prefix {
            path.push(prefix);
        }
        path.extend(segments);
    }
    url
}

/// Sends one request with the token, the extra headers and the timeout, and returns the
/// body of a 2xx answer or the error the answer maps to.
pub(crate) async fn send<B: Serialize + ?Sized>(
    http: &reqwest::Client,
    config: &CatalogConfig,
    method: Method,
    url: Url,
    body: Option<&B>,
    conflict: ConflictMeaning<'_>,
) -> Result<Vec<u8>, IcebergError> {
    let mut request = http
        .request(method, url)
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .headers(config.headers.clone());
    if let Some(token) = config.auth.token(http).await? {
        request = request.bearer_auth(token.expose());
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.map_err(IcebergError::Transport)?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(IcebergError::Transport)?;
    if status.is_success() {
        Ok(bytes.to_vec())
    } else {
        Err(error::from_response(status, &bytes, conflict))
    }
}

pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, IcebergError> {
    serde_json::from_slice(body).map_err(IcebergError::Decode)
}
