//! The traced operations: each runs inside one `identity.*` span.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use floe_core::KeyValue;
use floe_core::plugin::HealthStatus;
use floe_core::plugin::categories::{TokenClaims, TokenGrant, TokenResponse, UserInfo};
use floe_core::secret::Secret;
use floe_core::telemetry::{
    SpanRecorder, attr, describe_error, in_span_async, sanitize_error_message,
};
use reqwest::Method;
use serde::Deserialize;

use crate::KeycloakPlugin;
use crate::error::{KeycloakError, Rejection};
use crate::jwt::{self, Expected, Jwks};
use crate::oidc::{Answer, Call, Discovery, parse, refused};
use crate::telemetry::{IdentityOp, PROVIDER, TRACER_NAME};

#[derive(Deserialize)]
struct Granted {
    access_token: Secret<String>,
    #[serde(default)]
    expires_in: u64,
    #[serde(default)]
    refresh_token: Option<Secret<String>>,
    #[serde(default = "bearer")]
    token_type: String,
}

fn bearer() -> String {
    "Bearer".to_owned()
}

impl KeycloakPlugin {
    fn attributes(&self) -> Vec<KeyValue> {
        vec![
            KeyValue::new(attr::IDENTITY_PROVIDER, PROVIDER),
            KeyValue::new(attr::IDENTITY_REALM, self.realm.clone()),
            KeyValue::new(attr::SERVER_ADDRESS, self.connection.host.clone()),
        ]
    }

    async fn send(&self, span: &SpanRecorder, call: Call<'_>) -> Result<Answer, KeycloakError> {
        self.connection.send(span, &self.retry, &self.realm, call).await
    }

    /// Fetches and checks the discovery document (issuer must be this realm's).
    async fn fetch_discovery(
        &self,
        span: &SpanRecorder,
    ) -> Result<(Discovery, serde_json::Value), KeycloakError> {
        let url = format!("{}/.well-known/openid-configuration", self.expected_issuer());
        let call =
            Call { action: "discovery", method: Method::GET, url: &url, bearer: None, form: None };
        let answer = self.send(span, call).await?;
        if answer.status != 200 {
            return Err(refused("discovery", &self.realm, &answer));
        }
        let document: serde_json::Value = parse("discovery", &self.realm, &answer)?;
        let discovery: Discovery =
            serde_json::from_value(document.clone()).map_err(|_| KeycloakError::Protocol {
                action: "discovery",
                realm: self.realm.clone(),
                detail: "issuer, token_endpoint or jwks_uri is missing".to_owned(),
            })?;
        if discovery.issuer != self.expected_issuer() {
            return Err(KeycloakError::Protocol {
                action: "discovery",
                realm: self.realm.clone(),
                detail: "the announced issuer is not this realm's URL".to_owned(),
            });
        }
        Ok((discovery, document))
    }

    /// `identity.discover`: fetches the document and caches it.
    pub(crate) async fn discover_document(&self) -> Result<serde_json::Value, KeycloakError> {
        in_span_async(TRACER_NAME, IdentityOp::Discover, self.attributes(), |span| async move {
            let (discovery, document) = self.fetch_discovery(&span).await?;
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
        self.discovery.lock().await.clone().ok_or_else(|| KeycloakError::Protocol {
            action: "discovery",
            realm: self.realm.clone(),
            detail: "the discovery document was not kept".to_owned(),
        })
    }

    /// The form body of a token request (`client_secret_post` for confidential clients).
    fn token_form(
        &self,
        grant_type: &str,
        grant: &TokenGrant,
        scopes: &[String],
    ) -> Result<String, KeycloakError> {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", grant_type).append_pair("client_id", &self.client_id);
        if let Some(secret) = &self.client_secret {
            form.append_pair("client_secret", secret.expose());
        } else if grant_type == "client_credentials" {
            return Err(KeycloakError::Config {
                reason: "the client_credentials grant needs client_secret".to_owned(),
            });
        }
        if let TokenGrant::Password { username, password, .. } = grant {
            form.append_pair("username", username).append_pair("password", password.expose());
        }
        if !scopes.is_empty() {
            form.append_pair("scope", &scopes.join(" "));
        }
        Ok(form.finish())
    }

    pub(crate) async fn grant(&self, grant: &TokenGrant) -> Result<TokenResponse, KeycloakError> {
        let (grant_type, scopes) = match grant {
            TokenGrant::ClientCredentials { scopes } => ("client_credentials", scopes),
            TokenGrant::Password { scopes, .. } => ("password", scopes),
        };
        let mut attributes = self.attributes();
        attributes.push(KeyValue::new(attr::IDENTITY_GRANT_TYPE, grant_type));
        in_span_async(TRACER_NAME, IdentityOp::GetToken, attributes, |span| async move {
            let discovery = self.discovery().await?;
            let form = self.token_form(grant_type, grant, scopes)?;
            let call = Call {
                action: "the token grant",
                method: Method::POST,
                url: &discovery.token_endpoint,
                bearer: None,
                form: Some(form),
            };
            let answer = self.send(&span, call).await?;
            if answer.status != 200 {
                return Err(refused(format!("the {grant_type} grant"), &self.realm, &answer));
            }
            let granted: Granted = parse("the token grant", &self.realm, &answer)?;
            Ok(TokenResponse {
                access_token: granted.access_token,
                expires_in: granted.expires_in,
                refresh_token: granted.refresh_token,
                token_type: granted.token_type,
            })
        })
        .await
    }

    pub(crate) async fn user(
        &self,
        access_token: &Secret<String>,
    ) -> Result<UserInfo, KeycloakError> {
        in_span_async(TRACER_NAME, IdentityOp::Userinfo, self.attributes(), |span| async move {
            let discovery = self.discovery().await?;
            let Some(endpoint) = discovery.userinfo_endpoint.as_deref() else {
                return Err(KeycloakError::Protocol {
                    action: "userinfo",
                    realm: self.realm.clone(),
                    detail: "the realm announces no userinfo_endpoint".to_owned(),
                });
            };
            let call = Call {
                action: "userinfo",
                method: Method::GET,
                url: endpoint,
                bearer: Some(access_token),
                form: None,
            };
            let answer = self.send(&span, call).await?;
            if answer.status != 200 {
                return Err(refused("userinfo", &self.realm, &answer));
            }
            let mut claims: serde_json::Map<String, serde_json::Value> =
                parse("userinfo", &self.realm, &answer)?;
            let Some(serde_json::Value::String(subject)) = claims.remove("sub") else {
                return Err(KeycloakError::Protocol {
                    action: "userinfo",
                    realm: self.realm.clone(),
                    detail: "the answer has no sub".to_owned(),
                });
            };
            span.set_attribute(KeyValue::new(
                attr::IDENTITY_SUBJECT_HASH,
                self.connection.subject_hash(&subject),
            ));
            Ok(UserInfo { subject, claims: claims.into_iter().collect() })
        })
        .await
    }

    /// The realm's keys: cached, refetched once when `fresh` is asked for.
    async fn keys(&self, span: &SpanRecorder, fresh: bool) -> Result<Arc<Jwks>, KeycloakError> {
        let mut cached = self.jwks.lock().await;
        if let (Some(keys), false) = (cached.as_ref(), fresh) {
            return Ok(Arc::clone(keys));
        }
        let discovery = self.discovery().await?;
        let call = Call {
            action: "the key set",
            method: Method::GET,
            url: &discovery.jwks_uri,
            bearer: None,
            form: None,
        };
        let answer = self.send(span, call).await?;
        if answer.status != 200 {
            return Err(refused("the key set", &self.realm, &answer));
        }
        let keys: Arc<Jwks> = Arc::new(parse("the key set", &self.realm, &answer)?);
        *cached = Some(Arc::clone(&keys));
        Ok(keys)
    }

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
        let reject =
            |reason: Rejection| KeycloakError::Rejected { realm: self.realm.clone(), reason };
        let parsed = jwt::parse(token, &self.algorithms).map_err(reject)?;
        if let Some(kid) = &parsed.kid {
            span.set_attribute(KeyValue::new(attr::IDENTITY_KEY_ID, kid.clone()));
        }
        let discovery = self.discovery().await?;
        let had_keys = self.jwks.lock().await.is_some();
        let mut keys = self.keys(span, false).await?;
        if jwt::select(&keys, &parsed).is_none() && had_keys {
            // The realm may have rotated its keys since they were cached: look once more.
            keys = self.keys(span, true).await?;
        }
        let key = jwt::select(&keys, &parsed).ok_or(reject(Rejection::UnknownKey))?;
        jwt::verify(&parsed, key).map_err(reject)?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let expected = Expected {
            issuer: &discovery.issuer,
            audience: &self.audience,
            leeway: self.leeway,
            now,
        };
        jwt::check_claims(parsed, &expected).map_err(reject)
    }

    pub(crate) async fn health(&self) -> HealthStatus {
        let checked: Result<HealthStatus, KeycloakError> = in_span_async(
            TRACER_NAME,
            IdentityOp::HealthCheck,
            self.attributes(),
            |span| async move {
                let status = match self.fetch_discovery(&span).await {
                    Ok(_) => HealthStatus::Healthy,
                    Err(error) => {
                        HealthStatus::Unhealthy { reason: describe_error(&error).to_string() }
                    }
                };
                if let HealthStatus::Unhealthy { reason } = &status {
                    span.fail_soft("unhealthy", sanitize_error_message(reason));
                }
                Ok(status)
            },
        )
        .await;
        checked.unwrap_or_else(|error| HealthStatus::Unhealthy {
            reason: describe_error(&error).to_string(),
        })
    }
}
