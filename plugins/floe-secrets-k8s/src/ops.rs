//! The traced operations: each runs inside one `secrets.*` span.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use floe_core::KeyValue;
use floe_core::health::traced_health_async;
use floe_core::http::{PeerAnswer, PeerRequest};
use floe_core::plugin::HealthStatus;
use floe_core::secret::Secret;
use floe_core::telemetry::{attr, in_span_async};
use serde::Deserialize;

use crate::K8sSecretsPlugin;
use crate::api::{is_data_key, is_dns1123_subdomain};
use crate::error::K8sSecretsError;
use crate::telemetry::{PROVIDER, SecretsOp, TRACER_NAME};

const MERGE_PATCH: &str = "application/merge-patch+json";
/// Pages of a list read at most (500 names each).
const MAX_PAGES: usize = 200;

/// A Secret as read: its `kind`, and `data` with each value still base64 and never
/// printed.
#[derive(Deserialize)]
struct SecretObject {
    kind: String,
    #[serde(default)]
    data: BTreeMap<String, Secret<String>>,
}

/// The answer to a delete: a `Status`, or the deleted object.
#[derive(Deserialize)]
struct Deleted {
    kind: String,
}

#[derive(Deserialize)]
struct SecretList {
    kind: String,
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
    async fn fetch(&self, name: &str) -> Result<Option<SecretObject>, K8sSecretsError> {
        let what = ("read", name);
        let answer = self.api.call(what, PeerRequest::get(self.api.path(Some(name)))).await?;
        match answer.status() {
            200 => self.object(what, &answer, "Secret").map(Some),
            404 => Ok(None),
            _ => Err(self.api.refused(what, &answer)),
        }
    }

    /// A success body parsed as a Secret (or a list, `kind` `SecretList`), refusing an
    /// answer of another kind: a proxy's page is not the Kubernetes API.
    fn object<T: serde::de::DeserializeOwned + Kinded>(
        &self,
        what: (&'static str, &str),
        answer: &PeerAnswer,
        kind: &str,
    ) -> Result<T, K8sSecretsError> {
        let parsed: T = self.api.parse(what, answer)?;
        if parsed.kind() == kind {
            Ok(parsed)
        } else {
            Err(K8sSecretsError::Protocol {
                action: what.0,
                name: what.1.to_owned(),
                detail: format!("the answer is not a {kind}"),
            })
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
            let secret = self.fetch(name).await?;
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
                let secret = self.fetch(name).await?.ok_or_else(|| K8sSecretsError::NotFound {
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

    /// A merge patch of `data` on Secret `what.1`; `written` are the values it sends
    /// (plain and base64), so the answer is scrubbed of them.
    async fn merge_patch(
        &self,
        what: (&'static str, &str),
        data: &serde_json::Value,
        written: &[Secret<String>],
    ) -> Result<PeerAnswer, K8sSecretsError> {
        let body = serde_json::json!({ "data": data });
        let request = written.iter().fold(
            PeerRequest::patch(self.api.path(Some(what.1))).json_as(MERGE_PATCH, &body),
            PeerRequest::credential,
        );
        self.api.call(what, request).await
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
                let encoded = Secret::new(STANDARD.encode(value.expose()));
                let written = [value.clone(), encoded.clone()];
                let data = serde_json::json!({ item: encoded.expose() });
                let update = ("update", name);
                // Merge-patching replaces this one key and keeps the others; a Secret that
                // does not exist yet is created instead. A create that loses a race (409)
                // falls back to the patch once.
                let answer = self.merge_patch(update, &data, &written).await?;
                let action = match answer.status() {
                    200 => {
                        self.object::<SecretObject>(update, &answer, "Secret")?;
                        "updated"
                    }
                    404 => self.create(name, &data, &written).await?,
                    _ => return Err(self.api.refused(update, &answer)),
                };
                span.set_attribute(KeyValue::new(attr::SECRETS_WRITE_ACTION, action));
                Ok(())
            },
        )
        .await
    }

    /// Creates Secret `name` holding `data`; `"created"`, or `"updated"` when another
    /// writer created it first and the patch then applied.
    async fn create(
        &self,
        name: &str,
        data: &serde_json::Value,
        written: &[Secret<String>],
    ) -> Result<&'static str, K8sSecretsError> {
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
        let request = written
            .iter()
            .fold(PeerRequest::post(self.api.path(None)).json(&object), PeerRequest::credential);
        let created = self.api.call(create, request).await?;
        match created.status() {
            200 | 201 => {
                self.object::<SecretObject>(create, &created, "Secret")?;
                Ok("created")
            }
            409 => {
                let update = ("update", name);
                let again = self.merge_patch(update, data, written).await?;
                if again.status() != 200 {
                    return Err(self.api.refused(update, &again));
                }
                self.object::<SecretObject>(update, &again, "Secret")?;
                Ok("updated")
            }
            _ => Err(self.api.refused(create, &created)),
        }
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
                    let exists = self.fetch(name).await?.is_some_and(|s| s.data.contains_key(item));
                    if exists {
                        let answer =
                            self.merge_patch(what, &serde_json::json!({ item: null }), &[]).await?;
                        match answer.status() {
                            200 => self
                                .object::<SecretObject>(what, &answer, "Secret")
                                .map(|_| true)?,
                            404 => false,
                            _ => return Err(self.api.refused(what, &answer)),
                        }
                    } else {
                        false
                    }
                } else {
                    let request = PeerRequest::delete(self.api.path(Some(name)));
                    let answer = self.api.call(what, request).await?;
                    match answer.status() {
                        200 | 202 => {
                            let deleted: Deleted = self.api.parse(what, &answer)?;
                            if !matches!(deleted.kind.as_str(), "Status" | "Secret") {
                                return Err(K8sSecretsError::Protocol {
                                    action: "delete",
                                    name: name.to_owned(),
                                    detail: "the answer is neither a Status nor a Secret"
                                        .to_owned(),
                                });
                            }
                            true
                        }
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
                    let mut request = PeerRequest::get(self.api.path(None)).query("limit", "500");
                    if let Some(selector) = &self.label_selector {
                        request = request.query("labelSelector", selector);
                    }
                    if let Some(token) = &next {
                        request = request.query("continue", token);
                    }
                    let answer = self.api.call(what, request).await?;
                    if answer.status() != 200 {
                        return Err(self.api.refused(what, &answer));
                    }
                    let page: SecretList = self.object(what, &answer, "SecretList")?;
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

    /// Healthy when the API server lists one Secret of the namespace for this token.
    pub(crate) async fn health(&self) -> HealthStatus {
        traced_health_async(TRACER_NAME, SecretsOp::HealthCheck, self.attributes(None), |_| async {
            let what = ("list", "*");
            let request = PeerRequest::get(self.api.path(None)).query("limit", "1");
            let answer = self.api.call(what, request).await?;
            if answer.status() != 200 {
                return Err(self.api.refused(what, &answer));
            }
            self.object::<SecretList>(what, &answer, "SecretList").map(drop)
        })
        .await
    }
}

/// Answers that name their `kind`.
trait Kinded {
    fn kind(&self) -> &str;
}

impl Kinded for SecretObject {
    fn kind(&self) -> &str {
        &self.kind
    }
}

impl Kinded for SecretList {
    fn kind(&self) -> &str {
        &self.kind
    }
}

pub(crate) fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
