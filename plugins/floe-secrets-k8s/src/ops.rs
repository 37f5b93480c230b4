//! The traced operations: each runs inside one `secrets.*` span.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use floe_core::KeyValue;
use floe_core::plugin::HealthStatus;
use floe_core::secret::Secret;
use floe_core::telemetry::{
    SpanRecorder, attr, describe_error, in_span_async, sanitize_error_message,
};
use reqwest::Method;
use serde::Deserialize;

use crate::K8sSecretsPlugin;
use crate::api::{Answer, Body, is_data_key, is_dns1123_subdomain};
use crate::error::K8sSecretsError;
use crate::telemetry::{PROVIDER, SecretsOp, TRACER_NAME};

const MERGE_PATCH: &str = "application/merge-patch+json";
const JSON: &str = "application/json";
/// Pages of a list read at most (500 names each).
const MAX_PAGES: usize = 200;

/// A Secret as read: only `data`, each value still base64 and never printed.
#[derive(Deserialize)]
struct SecretObject {
    #[serde(default)]
    data: BTreeMap<String, Secret<String>>,
}

#[derive(Deserialize)]
struct SecretList {
    #[serde(default)]
    items: Vec<Listed>,
    #[serde(default)]
    metadata: ListMeta,
}

#[derive(Deserialize)]
struct Listed {
    metadata: Named,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

#[derive(Default, Deserialize)]
struct ListMeta {
    #[serde(rename = "continue", default)]
    next: Option<String>,
}

impl K8sSecretsPlugin {
    pub(crate) fn attributes(&self, key: Option<&str>) -> Vec<KeyValue> {
        let mut out = vec![
            KeyValue::new(attr::SECRETS_PROVIDER, PROVIDER),
            KeyValue::new(attr::SECRETS_NAMESPACE, self.api.namespace().to_owned()),
            KeyValue::new(attr::SERVER_ADDRESS, self.api.host().to_owned()),
        ];
        if let Some(key) = key {
            out.push(KeyValue::new(attr::SECRETS_KEY_NAME, key.to_owned()));
        }
        out
    }

    fn invalid(key: &str) -> K8sSecretsError {
        K8sSecretsError::InvalidKey { key: key.to_owned() }
    }

    /// `name/key` split and checked.
    pub(crate) fn split(key: &str) -> Result<(&str, &str), K8sSecretsError> {
        match key.split_once('/') {
            Some((name, item)) if is_dns1123_subdomain(name) && is_data_key(item) => {
                Ok((name, item))
            }
            _ => Err(Self::invalid(key)),
        }
    }

    /// `name` or `name/key`.
    fn split_optional(key: &str) -> Result<(&str, Option<&str>), K8sSecretsError> {
        if key.contains('/') {
            Self::split(key).map(|(name, item)| (name, Some(item)))
        } else if is_dns1123_subdomain(key) {
            Ok((key, None))
        } else {
            Err(Self::invalid(key))
        }
    }

    /// The Secret `name`, or `None` when it does not exist.
    async fn fetch(
        &self,
        span: &SpanRecorder,
        name: &str,
    ) -> Result<Option<SecretObject>, K8sSecretsError> {
        let what = ("read", name);
        let answer =
            self.api.call(span, what, Method::GET, &self.api.path(Some(name)), &[], None).await?;
        match answer.status {
            200 => crate::api::Api::parse(what, &answer).map(Some),
            404 => Ok(None),
            _ => Err(self.api.refused(what, &answer)),
        }
    }

    fn decode(
        &self,
        key: &str,
        encoded: &Secret<String>,
    ) -> Result<Secret<String>, K8sSecretsError> {
        let encoding = || K8sSecretsError::Encoding {
            key: key.to_owned(),
            namespace: self.api.namespace().to_owned(),
        };
        let bytes = STANDARD.decode(encoded.expose()).map_err(|_| encoding())?;
        String::from_utf8(bytes).map(Secret::new).map_err(|_| encoding())
    }

    pub(crate) async fn read(
        &self,
        key: &str,
        required: bool,
    ) -> Result<Option<Secret<String>>, K8sSecretsError> {
        let mut attributes = self.attributes(Some(key));
        attributes.push(KeyValue::new(attr::SECRETS_REQUIRED, required));
        in_span_async(TRACER_NAME, SecretsOp::GetSecret, attributes, |span| async move {
            let (name, item) = Self::split(key)?;
            let secret = self.fetch(&span, name).await?;
            let value = match secret.as_ref().and_then(|s| s.data.get(item)) {
                Some(encoded) => Some(self.decode(key, encoded)?),
                None => None,
            };
            span.set_attribute(KeyValue::new(attr::SECRETS_FOUND, value.is_some()));
            if value.is_none() && required {
                return Err(K8sSecretsError::NotFound {
                    key: key.to_owned(),
                    namespace: self.api.namespace().to_owned(),
                });
            }
            Ok(value)
        })
        .await
    }

    pub(crate) async fn read_all(
        &self,
        name: &str,
    ) -> Result<BTreeMap<String, Secret<String>>, K8sSecretsError> {
        in_span_async(
            TRACER_NAME,
            SecretsOp::GetMulti,
            self.attributes(Some(name)),
            |span| async move {
                if !is_dns1123_subdomain(name) {
                    return Err(Self::invalid(name));
                }
                let secret =
                    self.fetch(&span, name).await?.ok_or_else(|| K8sSecretsError::NotFound {
                        key: name.to_owned(),
                        namespace: self.api.namespace().to_owned(),
                    })?;
                let mut out = BTreeMap::new();
                for (item, encoded) in &secret.data {
                    out.insert(item.clone(), self.decode(&format!("{name}/{item}"), encoded)?);
                }
                span.set_attribute(KeyValue::new(attr::SECRETS_COUNT, count(out.len())));
                Ok(out)
            },
        )
        .await
    }

    async fn merge_patch(
        &self,
        span: &SpanRecorder,
        what: (&'static str, &str),
        data: serde_json::Value,
    ) -> Result<Answer, K8sSecretsError> {
        let body = Body {
            content_type: MERGE_PATCH,
            bytes: serde_json::json!({ "data": data }).to_string().into_bytes(),
        };
        self.api
            .call(span, what, Method::PATCH, &self.api.path(Some(what.1)), &[], Some(body))
            .await
    }

    pub(crate) async fn write(
        &self,
        key: &str,
        value: &Secret<String>,
    ) -> Result<(), K8sSecretsError> {
        in_span_async(
            TRACER_NAME,
            SecretsOp::SetSecret,
            self.attributes(Some(key)),
            |span| async move {
                let (name, item) = Self::split(key)?;
                let data = serde_json::json!({ item: STANDARD.encode(value.expose()) });
                let update = ("update", name);
                // Merge-patching replaces this one key and keeps the others; a Secret that
                // does not exist yet is created instead. A create that loses a race (409)
                // falls back to the patch once.
                let answer = self.merge_patch(&span, update, data.clone()).await?;
                let action = match answer.status {
                    200 => "updated",
                    404 => {
                        let create = ("create", name);
                        let object = serde_json::json!({
                            "apiVersion": "v1",
                            "kind": "Secret",
                            "type": "Opaque",
                            "metadata": {
                                "name": name,
                                "namespace": self.api.namespace(),
                                "labels": { "app.kubernetes.io/managed-by": "floe" },
                            },
                            "data": data,
                        });
                        let body =
                            Body { content_type: JSON, bytes: object.to_string().into_bytes() };
                        let created = self
                            .api
                            .call(
                                &span,
                                create,
                                Method::POST,
                                &self.api.path(None),
                                &[],
                                Some(body),
                            )
                            .await?;
                        match created.status {
                            200 | 201 => "created",
                            409 => {
                                let again = self.merge_patch(&span, update, data).await?;
                                if again.status != 200 {
                                    return Err(self.api.refused(update, &again));
                                }
                                "updated"
                            }
                            _ => return Err(self.api.refused(create, &created)),
                        }
                    }
                    _ => return Err(self.api.refused(update, &answer)),
                };
                span.set_attribute(KeyValue::new(attr::SECRETS_WRITE_ACTION, action));
                Ok(())
            },
        )
        .await
    }

    pub(crate) async fn delete(&self, key: &str) -> Result<bool, K8sSecretsError> {
        in_span_async(
            TRACER_NAME,
            SecretsOp::DeleteSecret,
            self.attributes(Some(key)),
            |span| async move {
                let (name, item) = Self::split_optional(key)?;
                let what = ("delete", name);
                let found = if let Some(item) = item {
                    let exists =
                        self.fetch(&span, name).await?.is_some_and(|s| s.data.contains_key(item));
                    if exists {
                        let answer = self
                            .merge_patch(&span, what, serde_json::json!({ item: null }))
                            .await?;
                        match answer.status {
                            200 => true,
                            404 => false,
                            _ => return Err(self.api.refused(what, &answer)),
                        }
                    } else {
                        false
                    }
                } else {
                    let answer = self
                        .api
                        .call(&span, what, Method::DELETE, &self.api.path(Some(name)), &[], None)
                        .await?;
                    match answer.status {
                        200 | 202 => true,
                        404 => false,
                        _ => return Err(self.api.refused(what, &answer)),
                    }
                };
                span.set_attribute(KeyValue::new(attr::SECRETS_FOUND, found));
                Ok(found)
            },
        )
        .await
    }

    pub(crate) async fn list(&self, prefix: Option<&str>) -> Result<Vec<String>, K8sSecretsError> {
        in_span_async(
            TRACER_NAME,
            SecretsOp::ListSecrets,
            self.attributes(None),
            |span| async move {
                let what = ("list", "*");
                let mut names = Vec::new();
                let mut next: Option<String> = None;
                for _ in 0..MAX_PAGES {
                    let mut query = vec![("limit", "500")];
                    if let Some(selector) = &self.label_selector {
                        query.push(("labelSelector", selector.as_str()));
                    }
                    if let Some(token) = &next {
                        query.push(("continue", token.as_str()));
                    }
                    let answer = self
                        .api
                        .call(&span, what, Method::GET, &self.api.path(None), &query, None)
                        .await?;
                    if answer.status != 200 {
                        return Err(self.api.refused(what, &answer));
                    }
                    let page: SecretList = crate::api::Api::parse(what, &answer)?;
                    names.extend(
                        page.items
                            .into_iter()
                            .map(|item| item.metadata.name)
                            .filter(|name| prefix.is_none_or(|p| name.starts_with(p))),
                    );
                    next = page.metadata.next.filter(|token| !token.is_empty());
                    if next.is_none() {
                        span.set_attribute(KeyValue::new(attr::SECRETS_COUNT, count(names.len())));
                        return Ok(names);
                    }
                }
                Err(K8sSecretsError::Protocol {
                    action: "list",
                    name: "*".to_owned(),
                    detail: format!("more than {MAX_PAGES} pages"),
                })
            },
        )
        .await
    }

    pub(crate) async fn health(&self) -> HealthStatus {
        let attributes = self.attributes(None);
        let checked: Result<HealthStatus, K8sSecretsError> =
            in_span_async(TRACER_NAME, SecretsOp::HealthCheck, attributes, |span| async move {
                let what = ("list", "*");
                let status = match self
                    .api
                    .call(&span, what, Method::GET, &self.api.path(None), &[("limit", "1")], None)
                    .await
                {
                    Ok(answer) if answer.status == 200 => HealthStatus::Healthy,
                    Ok(answer) => HealthStatus::Unhealthy {
                        reason: describe_error(&self.api.refused(what, &answer)).to_string(),
                    },
                    Err(error) => {
                        HealthStatus::Unhealthy { reason: describe_error(&error).to_string() }
                    }
                };
                if let HealthStatus::Unhealthy { reason } = &status {
                    span.fail_soft("unhealthy", sanitize_error_message(reason));
                }
                Ok(status)
            })
            .await;
        checked.unwrap_or_else(|error| HealthStatus::Unhealthy {
            reason: describe_error(&error).to_string(),
        })
    }
}

pub(crate) fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
