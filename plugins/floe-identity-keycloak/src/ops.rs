//! The traced operations: each runs inside one `identity.*` span.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use floe_core::KeyValue;
use floe_core::health::traced_health_async;
use floe_core::http::PeerRequest;
use floe_core::plugin::HealthStatus;
use floe_core::plugin::categories::{TokenClaims, TokenGrant, TokenResponse, UserInfo};
use floe_core::secret::Secret;
use floe_core::telemetry::{SpanRecorder, attr, in_span_async};
use reqwest::Method;
use serde::Deserialize;

use crate::config::ClientAuth;
use crate::error::{KeycloakError, Rejection};
use crate::jwt::{self, Expected, Jwk, Jwks};
use crate::oidc::Discovery;
use crate::telemetry::{IdentityOp, PROVIDER, TRACER_NAME};
use crate::{KeycloakPlugin, form_encoded};

/// A token endpoint's success answer.
#[derive(Deserialize)]
struct Granted {
    access_token: Secret<String>,
    #[serde(default)]
    expires_in: u64,
    #[serde(default)]
    refresh_token: Option<Secret<String>>,
    token_type: String,
}

/// A userinfo answer: `sub` and the other claims.
#[derive(Deserialize)]
struct Claims {
    sub: String,
    #[serde(flatten)]
    other: BTreeMap<String, serde_json::Value>,
}

/// The realm's key set as cached, and when it was last fetched or tried.
#[derive(Debug, Default)]
pub(crate) struct KeyCache {
    keys: Option<Arc<Jwks>>,
    last_fetch: Option<Instant>,
}

const fn grant_action(grant: &TokenGrant) -> &'static str {
    match grant {
        TokenGrant::ClientCredentials { .. } => "the client_credentials grant",
        TokenGrant::Password { .. } => "the password grant",
        TokenGrant::RefreshToken { .. } => "the refresh_token grant",
    }
}

impl KeycloakPlugin {
    fn attributes(&self) -> Vec<KeyValue> {
        vec![
            KeyValue::new(attr::IDENTITY_PROVIDER, PROVIDER),
            KeyValue::new(attr::IDENTITY_REALM, self.realm.clone()),
            KeyValue::new(attr::SERVER_ADDRESS, self.connection.peer.host().to_owned()),
        ]
    }

    fn protocol(&self, action: &'static str, detail: &str) -> KeycloakError {
        KeycloakError::Protocol { action, realm: self.realm.clone(), detail: detail.to_owned() }
    }

    fn rejected(&self, reason: Rejection) -> KeycloakError {
        KeycloakError::Rejected { realm: self.realm.clone(), reason }
    }

    /// Fetches the discovery document and checks its issuer and endpoints.
    async fn fetch_discovery(&self) -> Result<(Discovery, serde_json::Value), KeycloakError> {
        let path = format!("/realms/{}/.well-known/openid-configuration", self.realm);
        let answer = self.connection.call("discovery", &self.realm, PeerRequest::get(path)).await?;
        let discovery =
            self.connection.check_discovery(&self.realm, &self.expected_issuer(), &answer)?;
        let document = answer.json().map_err(|source| KeycloakError::Peer {
            action: "discovery",
            realm: self.realm.clone(),
            source,
        })?;
        Ok((discovery, document))
    }

    /// `identity.discover`: fetches the document, checks it and caches it.
    pub(crate) async fn discover_document(&self) -> Result<serde_json::Value, KeycloakError> {
        in_span_async(TRACER_NAME, IdentityOp::Discover, self.attributes(), |_span| async move {
            let (discovery, document) = self.fetch_discovery().await?;
            *self.discovery.lock().await = Some(Arc::new(discovery));
            Ok(document)
        })
        .await
    }

    /// The cached discovery, fetched (as an `identity.discover` child span) the first time.
    pub(crate) async fn discovery(&self) -> Result<Arc<Discovery>, KeycloakError> {
        if let Some(found) = self.discovery.lock().await.as_ref() {
            return Ok(Arc::clone(found));
        }
        self.discover_document().await?;
        let kept = self.discovery.lock().await.clone();
        kept.ok_or_else(|| self.protocol("discovery", "the discovery document was not kept"))
    }

    /// The token request for `grant`: client authentication as configured (RFC 6749
    /// section 2.3.1), the grant's own fields, each credential recorded for the scrub.
    fn token_request(
        &self,
        discovery: &Discovery,
        grant: &TokenGrant,
    ) -> Result<PeerRequest, KeycloakError> {
        let mut request = PeerRequest::to_url(Method::POST, discovery.token_endpoint.clone())
            .form(&[("grant_type", grant.grant_type())]);
        request = match (&self.client_secret, self.client_auth) {
            (Some(secret), ClientAuth::ClientSecretBasic) => {
                let encoded = Secret::new(form_encoded(secret.expose()));
                request.basic(&form_encoded(&self.client_id), &encoded).credential(secret)
            }
            (Some(secret), ClientAuth::ClientSecretPost) => {
                request.form(&[("client_id", &self.client_id)]).form_secret("client_secret", secret)
            }
            (None, _) if matches!(grant, TokenGrant::ClientCredentials { .. }) => {
                return Err(KeycloakError::Config {
                    key: "client_secret",
                    reason: "the client_credentials grant needs a client secret".to_owned(),
                });
            }
            (None, _) => request.form(&[("client_id", &self.client_id)]),
        };
        request = match grant {
            TokenGrant::ClientCredentials { .. } => request,
            TokenGrant::Password { username, password, .. } => request
                .form(&[("username", username)])
                .form_secret("password", password)
                // Not a credential, but personal: never echoed into an error either.
                .credential(&Secret::new(username.clone())),
            TokenGrant::RefreshToken { refresh_token, .. } => {
                request.form_secret("refresh_token", refresh_token)
            }
        };
        if !grant.scopes().is_empty() {
            request = request.form(&[("scope", &grant.scopes().join(" "))]);
        }
        Ok(request)
    }

    /// `identity.get_token`: a grant at the discovered token endpoint.
    pub(crate) async fn grant(&self, grant: &TokenGrant) -> Result<TokenResponse, KeycloakError> {
        let mut attributes = self.attributes();
        attributes.push(KeyValue::new(attr::IDENTITY_GRANT_TYPE, grant.grant_type()));
        in_span_async(TRACER_NAME, IdentityOp::GetToken, attributes, |_span| async move {
            let action = grant_action(grant);
            let discovery = self.discovery().await?;
            let request = self.token_request(&discovery, grant)?;
            let answer = self.connection.call(action, &self.realm, request).await?;
            let granted: Granted = answer.json().map_err(|source| KeycloakError::Peer {
                action,
                realm: self.realm.clone(),
                source,
            })?;
            if !granted.token_type.eq_ignore_ascii_case("bearer") {
                return Err(self.protocol(action, "the token_type is not Bearer"));
            }
            Ok(TokenResponse {
                access_token: granted.access_token,
                expires_in: granted.expires_in,
                refresh_token: granted.refresh_token,
                token_type: granted.token_type,
            })
        })
        .await
    }

    /// `identity.userinfo`: the discovered userinfo endpoint with `access_token`.
    pub(crate) async fn user(
        &self,
        access_token: &Secret<String>,
    ) -> Result<UserInfo, KeycloakError> {
        in_span_async(TRACER_NAME, IdentityOp::Userinfo, self.attributes(), |span| async move {
            let discovery = self.discovery().await?;
            let Some(endpoint) = discovery.userinfo_endpoint.clone() else {
                return Err(self.protocol("userinfo", "the realm announces no userinfo_endpoint"));
            };
            let request = PeerRequest::to_url(Method::GET, endpoint).bearer(access_token);
            let answer = self.connection.call("userinfo", &self.realm, request).await?;
            let claims: Claims = answer.json().map_err(|source| KeycloakError::Peer {
                action: "userinfo",
                realm: self.realm.clone(),
                source,
            })?;
            span.set_attribute(KeyValue::new(
                attr::IDENTITY_SUBJECT_HASH,
                self.connection.subject_hash(&claims.sub),
            ));
            Ok(UserInfo { subject: claims.sub, claims: claims.other })
        })
        .await
    }

    /// Fetches the realm's key set (bounded: [`jwt::MAX_KEYS`] keys).
    async fn fetch_keys(&self) -> Result<Arc<Jwks>, KeycloakError> {
        let action = "the key set fetch";
        let discovery = self.discovery().await?;
        let request = PeerRequest::to_url(Method::GET, discovery.jwks_uri.clone());
        let answer = self.connection.call(action, &self.realm, request).await?;
        let keys: Jwks = answer.json().map_err(|source| KeycloakError::Peer {
            action,
            realm: self.realm.clone(),
            source,
        })?;
        if keys.keys.len() > jwt::MAX_KEYS {
            return Err(self.protocol(action, "the key set holds more keys than the plugin reads"));
        }
        Ok(Arc::new(keys))
    }

    /// The key that signed `parsed`: from the cached set, else from the set fetched
    /// again, but only when the last fetch is at least `jwks_min_refresh_secs` old (a
    /// stream of tokens naming unknown keys never turns into a stream of fetches).
    async fn signing_key(&self, parsed: &jwt::Parsed<'_>) -> Result<Jwk, KeycloakError> {
        let mut cache = self.keys.lock().await;
        if let Some(keys) = &cache.keys {
            if let Some(key) = jwt::select(keys, parsed) {
                return Ok(key.clone());
            }
            if cache.last_fetch.is_some_and(|at| at.elapsed() < self.jwks_min_refresh) {
                return Err(self.rejected(Rejection::UnknownKey));
            }
        }
        cache.last_fetch = Some(Instant::now());
        let keys = self.fetch_keys().await?;
        cache.keys = Some(Arc::clone(&keys));
        jwt::select(&keys, parsed).cloned().ok_or_else(|| self.rejected(Rejection::UnknownKey))
    }

    /// `identity.validate_token`.
    pub(crate) async fn validate(
        &self,
        token: &Secret<String>,
    ) -> Result<TokenClaims, KeycloakError> {
        in_span_async(
            TRACER_NAME,
            IdentityOp::ValidateToken,
            self.attributes(),
            |span| async move {
                let outcome = self.check(&span, token.expose()).await;
                span.set_attribute(KeyValue::new(attr::IDENTITY_TOKEN_VALID, outcome.is_ok()));
                match &outcome {
                    Ok(claims) => span.set_attribute(KeyValue::new(
                        attr::IDENTITY_SUBJECT_HASH,
                        self.connection.subject_hash(&claims.subject),
                    )),
                    Err(KeycloakError::Rejected { reason, .. }) => {
                        span.set_attribute(KeyValue::new(
                            attr::IDENTITY_REJECTION_REASON,
                            reason.as_str(),
                        ));
                    }
                    Err(_) => {}
                }
                outcome
            },
        )
        .await
    }

    async fn check(&self, span: &SpanRecorder, token: &str) -> Result<TokenClaims, KeycloakError> {
        let parsed = jwt::parse(token, &self.algorithms).map_err(|r| self.rejected(r))?;
        let discovery = self.discovery().await?;
        let key = self.signing_key(&parsed).await?;
        // The token's `kid` is recorded only once it names a published key: until then it
        // is text from whoever made the token.
        if let Some(kid) = &key.kid {
            span.set_attribute(KeyValue::new(attr::IDENTITY_KEY_ID, kid.clone()));
        }
        jwt::verify(&parsed, &key).map_err(|r| self.rejected(r))?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let expected = Expected {
            issuer: &discovery.issuer,
            audience: &self.audience,
            authorized_parties: &self.authorized_parties,
            leeway: self.leeway,
            now,
        };
        jwt::check_claims(parsed, &expected).map_err(|r| self.rejected(r))
    }

    /// `identity.health_check`: the realm answers a discovery document that passes the
    /// checks.
    pub(crate) async fn health(&self) -> HealthStatus {
        traced_health_async(
            TRACER_NAME,
            IdentityOp::HealthCheck,
            self.attributes(),
            |_span| async move { self.fetch_discovery().await.map(drop) },
        )
        .await
    }
}
