//! A Keycloak realm over floe-core's peer-call path: the connection every realm variant
//! shares, the discovery document and the origin check of the endpoints it announces,
//! OAuth2 error bodies, and the subject hash.

use floe_core::http::{Peer, PeerAnswer, PeerError, PeerRequest};
use floe_core::telemetry::SanitizedMessage;
use reqwest::Url;
use serde::Deserialize;

use crate::error::KeycloakError;

/// The endpoints of the realm the plugin calls, each checked to be on the origin of the
/// configured `server_url` (so no credential ever leaves for another host, or goes
/// there over plain `http`).
#[derive(Clone, Debug)]
pub(crate) struct Discovery {
    pub(crate) issuer: String,
    pub(crate) token_endpoint: Url,
    pub(crate) userinfo_endpoint: Option<Url>,
    pub(crate) jwks_uri: Url,
}

/// The discovery document as announced, before its endpoints are checked.
#[derive(Deserialize)]
pub(crate) struct Announced {
    pub(crate) issuer: String,
    pub(crate) token_endpoint: String,
    #[serde(default)]
    pub(crate) userinfo_endpoint: Option<String>,
    pub(crate) jwks_uri: String,
}

/// An OAuth2 error body (RFC 6749 section 5.2).
#[derive(Deserialize)]
struct OAuthError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

/// `<error_description> (<error>)` of an OAuth2 error body, as the peer wrote it (the
/// caller scrubs and sanitizes it through [`PeerAnswer::peer_text`]). The code comes
/// last: `invalid_token: invalid ...` would read to the sanitizer as a token's value.
fn oauth_text(body: &[u8]) -> Option<String> {
    let body: OAuthError = serde_json::from_slice(body).ok()?;
    match (body.error.is_empty(), body.error_description.is_empty()) {
        (true, true) => None,
        (false, true) => Some(body.error),
        (true, false) => Some(body.error_description),
        (false, false) => Some(format!("{} ({})", body.error_description, body.error)),
    }
}

/// The peer's words about a failure answer: its OAuth2 error, else its first line;
/// scrubbed of every credential the call sent, then sanitized.
pub(crate) fn peer_text(answer: &PeerAnswer) -> SanitizedMessage {
    answer.peer_text(oauth_text)
}

/// The connection shared by every realm variant of a plugin.
#[derive(Clone, Debug)]
pub(crate) struct Connection {
    pub(crate) peer: Peer,
    /// `server_url` without a trailing `/`.
    pub(crate) server: String,
    /// The salt of `identity.subject_hash`, random per plugin instance.
    pub(crate) salt: [u8; 16],
}

impl Connection {
    /// Sends `request`; any answer but a 2xx is the error its status maps to, with the
    /// peer's OAuth2 error as detail.
    pub(crate) async fn call(
        &self,
        action: &'static str,
        realm: &str,
        request: PeerRequest,
    ) -> Result<PeerAnswer, KeycloakError> {
        let failed =
            |source: PeerError| KeycloakError::Peer { action, realm: realm.to_owned(), source };
        let answer = self.peer.send(request.accept_json()).await.map_err(failed)?;
        if answer.is_success() {
            Ok(answer)
        } else {
            Err(failed(answer.error_with(peer_text(&answer))))
        }
    }

    /// Checks an announced discovery document: the issuer must be `issuer` (this realm's
    /// URL), and every endpoint the plugin calls on the origin of `server_url`.
    pub(crate) fn check_discovery(
        &self,
        realm: &str,
        issuer: &str,
        answer: &PeerAnswer,
    ) -> Result<Discovery, KeycloakError> {
        let announced: Announced = answer.json().map_err(|source| KeycloakError::Peer {
            action: "discovery",
            realm: realm.to_owned(),
            source,
        })?;
        self.checked(realm, issuer, announced)
    }

    /// [`Connection::check_discovery`] of a parsed document.
    pub(crate) fn checked(
        &self,
        realm: &str,
        issuer: &str,
        announced: Announced,
    ) -> Result<Discovery, KeycloakError> {
        if announced.issuer != issuer {
            return Err(KeycloakError::Protocol {
                action: "discovery",
                realm: realm.to_owned(),
                detail: "the document names another issuer than this realm's URL".to_owned(),
            });
        }
        let check = |endpoint: &'static str, url: &str| {
            self.peer.check_url(url).map_err(|source| KeycloakError::Endpoint {
                realm: realm.to_owned(),
                endpoint,
                source,
            })
        };
        Ok(Discovery {
            token_endpoint: check("token_endpoint", &announced.token_endpoint)?,
            userinfo_endpoint: announced
                .userinfo_endpoint
                .as_deref()
                .map(|url| check("userinfo_endpoint", url))
                .transpose()?,
            jwks_uri: check("jwks_uri", &announced.jwks_uri)?,
            issuer: announced.issuer,
        })
    }

    /// `sha256:<hex>` of the salted subject: correlates one user's spans, records nobody.
    pub(crate) fn subject_hash(&self, subject: &str) -> String {
        let mut context = ring::digest::Context::new(&ring::digest::SHA256);
        context.update(&self.salt);
        context.update(subject.as_bytes());
        let digest = context.finish();
        let mut out = String::from("sha256:");
        for byte in &digest.as_ref()[..16] {
            out.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
            out.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use floe_core::http::{EndpointError, Peer, RetryEvents};
    use floe_core::telemetry::attr;

    use super::{Announced, Connection};
    use crate::error::KeycloakError;

    fn connection(server: &str) -> Connection {
        let events = RetryEvents::new(attr::IDENTITY_RETRY_EVENT, attr::IDENTITY_ATTEMPT);
        let peer = Peer::builder(server, false, events).unwrap().build().unwrap();
        Connection { peer, server: server.to_owned(), salt: [0; 16] }
    }

    fn announced(token_endpoint: &str, userinfo: &str, jwks_uri: &str) -> Announced {
        Announced {
            issuer: "https://sso.example.com/realms/floe".to_owned(),
            token_endpoint: token_endpoint.to_owned(),
            userinfo_endpoint: Some(userinfo.to_owned()),
            jwks_uri: jwks_uri.to_owned(),
        }
    }

    /// An https realm (which tests on loopback cannot serve) refuses a document sending
    /// any endpoint to plain http, another host or another port, naming the endpoint.
    #[test]
    fn an_https_realm_refuses_endpoints_on_plain_http_another_host_or_port() {
        let connection = connection("https://sso.example.com");
        let issuer = "https://sso.example.com/realms/floe";
        let good = "https://sso.example.com/realms/floe/protocol/openid-connect/x";
        assert!(connection.checked("floe", issuer, announced(good, good, good)).is_ok());
        for bad in [
            "http://sso.example.com/realms/floe/protocol/openid-connect/x",
            "https://evil.example.com/realms/floe/protocol/openid-connect/x",
            "https://sso.example.com:8443/realms/floe/protocol/openid-connect/x",
        ] {
            let cases = [
                ("token_endpoint", announced(bad, good, good)),
                ("userinfo_endpoint", announced(good, bad, good)),
                ("jwks_uri", announced(good, good, bad)),
            ];
            for (key, document) in cases {
                let error = connection.checked("floe", issuer, document).unwrap_err();
                let KeycloakError::Endpoint { endpoint, source, .. } = &error else {
                    panic!("{bad}: {error}")
                };
                assert_eq!(*endpoint, key);
                assert!(matches!(source, EndpointError::OtherOrigin { .. }), "{error}");
                assert!(error.to_string().contains(key), "{error}");
            }
        }
    }
}
