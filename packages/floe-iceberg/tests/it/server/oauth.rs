//! The `OAuth2` token endpoint of the REST specification (`POST /v1/oauth/tokens`, client
//! credentials in the form body), as Apache Polaris serves it: tokens are opaque, expire
//! after the client's `expires_in`, and a refused client gets the `OAuthError` body.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{Answer, Catalog, Seen, validate, violation};

/// A client the token endpoint knows.
#[derive(Clone, Debug)]
pub(crate) struct OAuthClient {
    pub(crate) secret: String,
    /// `expires_in` of the tokens it gets; `None` leaves it out of the answer.
    pub(crate) expires_in: Option<u64>,
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Answer {
    (status, Some(json!({ "error": error, "error_description": description })))
}

/// `POST /v1/oauth/tokens`.
pub(super) fn token(
    catalog: &mut Catalog,
    seen: &Seen,
    content_type: Option<&str>,
    body: &[u8],
) -> Answer {
    catalog.token_requests += 1;
    if seen.method != Method::POST {
        return violation(catalog, "the token endpoint must be POST");
    }
    if content_type != Some("application/x-www-form-urlencoded") {
        return violation(catalog, &format!("token request content type {content_type:?}"));
    }
    let form = String::from_utf8_lossy(body).into_owned();
    let field = |name: &str| validate::query_param(&form, name);
    if field("grant_type").as_deref() != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "expected client_credentials",
        );
    }
    catalog.scopes.push(field("scope").unwrap_or_default());
    let (Some(id), Some(secret)) = (field("client_id"), field("client_secret")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id and client_secret are required",
        );
    };
    let client = catalog.clients.get(&id).cloned();
    match client {
        Some(client) if client.secret == secret => {
            let token = format!("FLOETEST-access-{}-{id}", catalog.issued.len() + 1);
            catalog.issued.push(token.clone());
            let mut answer = json!({
                "access_token": token,
                "token_type": "bearer",
                "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
            });
            if let Some(expires_in) = client.expires_in {
                answer["expires_in"] = json!(expires_in);
            }
            (StatusCode::OK, Some(answer))
        }
        // Echo the credential like a careless server would: nothing may show it.
        _ => oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            &format!("unknown client {id} or wrong secret {secret}"),
        ),
    }
}
