//! The traced operations: each runs inside one `secrets.*` span.

use std::collections::BTreeMap;

use floe_core::KeyValue;
use floe_core::health::traced_health_async;
use floe_core::http::{PeerAnswer, PeerError, PeerRequest};
use floe_core::plugin::HealthStatus;
use floe_core::secret::Secret;
use floe_core::telemetry::{attr, in_span, in_span_async};
use serde::Deserialize;

use crate::InfisicalPlugin;
use crate::api::{already_exists, peer_text};
use crate::error::InfisicalError;
use crate::telemetry::{PROVIDER, SecretsOp, TRACER_NAME};

const RAW: &str = "/api/v3/secrets/raw";

#[derive(Deserialize)]
struct Envelope {
    secret: Item,
}

#[derive(Deserialize)]
struct Item {
    #[serde(rename = "secretKey")]
    key: String,
    #[serde(rename = "secretValue")]
    value: Secret<String>,
}

#[derive(Deserialize)]
struct Listing {
    secrets: Vec<Item>,
}

#[derive(Deserialize)]
struct Names {
    secrets: Vec<Named>,
}

#[derive(Deserialize)]
struct Named {
    #[serde(rename = "secretKey")]
    key: String,
}

/// The answer to a create, update or delete: the secret it changed.
#[derive(Deserialize)]
struct Changed {
    secret: Named,
}

fn is_name(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && segment.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// `/a/b` form of a configured folder: leading slash, no trailing one, valid segments.
pub(crate) fn normalize_path(path: &str) -> Result<String, InfisicalError> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if !path.starts_with('/') || !segments.iter().all(|s| is_name(s)) {
        return Err(InfisicalError::Config {
            key: "secret_path",
            reason: "must be an absolute folder path like /apps/floe".to_owned(),
        });
    }
    Ok(format!("/{}", segments.join("/")))
}

fn join(base: &str, folder: &str) -> String {
    match (base, folder) {
        (_, "") => base.to_owned(),
        ("/", folder) => format!("/{folder}"),
        (base, folder) => format!("{base}/{folder}"),
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl InfisicalPlugin {
    fn attributes(&self, key: Option<&str>) -> Vec<KeyValue> {
        let mut out = vec![
            KeyValue::new(attr::SECRETS_PROVIDER, PROVIDER),
            KeyValue::new(attr::SECRETS_NAMESPACE, self.environment.clone()),
            KeyValue::new(attr::SERVER_ADDRESS, self.api.host().to_owned()),
        ];
        if let Some(key) = key {
            out.push(KeyValue::new(attr::SECRETS_KEY_NAME, key.to_owned()));
        }
        out
    }

    /// `(folder path, name)` of `[folder/]NAME`.
    fn locate(&self, key: &str) -> Result<(String, String), InfisicalError> {
        let invalid = || InfisicalError::InvalidKey { key: key.to_owned() };
        let (folder, name) = key.rsplit_once('/').unwrap_or(("", key));
        if !is_name(name) || (!folder.is_empty() && !folder.split('/').all(is_name)) {
            return Err(invalid());
        }
        Ok((join(&self.secret_path, folder), name.to_owned()))
    }

    /// `request` with the scope query (`workspaceId`, `environment`, `secretPath`).
    fn scoped(&self, request: PeerRequest, path: &str) -> PeerRequest {
        request
            .query("workspaceId", &self.project_id)
            .query("environment", &self.environment)
            .query("secretPath", path)
    }

    fn body(&self, path: &str, value: Option<&Secret<String>>) -> serde_json::Value {
        let mut body = serde_json::json!({
            "workspaceId": self.project_id,
            "environment": self.environment,
            "secretPath": path,
            "type": "shared",
        });
        if let Some(value) = value {
            body["secretValue"] = serde_json::Value::String(value.expose().clone());
        }
        body
    }

    /// The error of a secrets call that failed with `source`.
    fn failed(&self, action: &'static str, key: &str, source: PeerError) -> InfisicalError {
        InfisicalError::Api {
            action,
            key: key.to_owned(),
            environment: self.environment.clone(),
            source,
        }
    }

    /// The error of a failure answer: Infisical's error and message, scrubbed of the
    /// call's credentials, then sanitized.
    fn refused(&self, action: &'static str, key: &str, answer: &PeerAnswer) -> InfisicalError {
        self.failed(action, key, answer.error_with(peer_text(answer)))
    }

    /// Sends `request` with the access token (a fresh login after a 401).
    async fn call(
        &self,
        action: &'static str,
        key: &str,
        request: PeerRequest,
    ) -> Result<PeerAnswer, InfisicalError> {
        self.api.authed(request).await?.map_err(|source| self.failed(action, key, source))
    }

    /// A success body parsed as `T` (a parse error keeps its category only).
    fn parse<T: serde::de::DeserializeOwned>(
        &self,
        action: &'static str,
        key: &str,
        answer: &PeerAnswer,
    ) -> Result<T, InfisicalError> {
        answer.json().map_err(|source| self.failed(action, key, source))
    }

    /// Checks that a write or delete answer names the secret `name`.
    fn changed(
        &self,
        action: &'static str,
        key: &str,
        name: &str,
        answer: &PeerAnswer,
    ) -> Result<(), InfisicalError> {
        let changed: Changed = self.parse(action, key, answer)?;
        if changed.secret.key == name {
            Ok(())
        } else {
            Err(InfisicalError::Protocol {
                action,
                detail: "the answer names another secret".to_owned(),
            })
        }
    }

    /// The secret at `path`/`name`, `None` when Infisical answers 404.
    async fn fetch(
        &self,
        key: &str,
        (path, name): (&str, &str),
    ) -> Result<Option<Secret<String>>, InfisicalError> {
        let request = self.scoped(PeerRequest::get(format!("{RAW}/{name}")), path);
        let answer = self.call("read", key, request).await?;
        match answer.status() {
            200 => Ok(Some(self.parse::<Envelope>("read", key, &answer)?.secret.value)),
            404 => Ok(None),
            _ => Err(self.refused("read", key, &answer)),
        }
    }

    pub(crate) async fn read(
        &self,
        key: &str,
        required: bool,
    ) -> Result<Option<Secret<String>>, InfisicalError> {
        let mut attributes = self.attributes(Some(key));
        attributes.push(KeyValue::new(attr::SECRETS_REQUIRED, required));
        in_span_async(TRACER_NAME, SecretsOp::GetSecret, attributes, |span| async move {
            let (path, name) = self.locate(key)?;
            let value = self.fetch(key, (&path, &name)).await?;
            span.set_attribute(KeyValue::new(attr::SECRETS_FOUND, value.is_some()));
            if value.is_none() && required {
                return Err(InfisicalError::NotFound {
                    key: key.to_owned(),
                    environment: self.environment.clone(),
                });
            }
            Ok(value)
        })
        .await
    }

    pub(crate) async fn read_folder(
        &self,
        folder: &str,
    ) -> Result<BTreeMap<String, Secret<String>>, InfisicalError> {
        in_span_async(
            TRACER_NAME,
            SecretsOp::GetMulti,
            self.attributes(Some(folder)),
            |span| async move {
                if !folder.split('/').all(is_name) {
                    return Err(InfisicalError::InvalidKey { key: folder.to_owned() });
                }
                let path = join(&self.secret_path, folder);
                let answer =
                    self.call("list", folder, self.scoped(PeerRequest::get(RAW), &path)).await?;
                // Infisical lists a missing folder as empty; its 404 names a missing
                // project or environment, which its own words say best.
                if answer.status() != 200 {
                    return Err(self.refused("list", folder, &answer));
                }
                let listing: Listing = self.parse("list", folder, &answer)?;
                let out: BTreeMap<String, Secret<String>> =
                    listing.secrets.into_iter().map(|item| (item.key, item.value)).collect();
                span.set_attribute(KeyValue::new(attr::SECRETS_COUNT, count(out.len())));
                Ok(out)
            },
        )
        .await
    }

    pub(crate) async fn write(
        &self,
        key: &str,
        value: &Secret<String>,
    ) -> Result<(), InfisicalError> {
        in_span_async(
            TRACER_NAME,
            SecretsOp::SetSecret,
            self.attributes(Some(key)),
            |span| async move {
                let (path, name) = self.locate(key)?;
                let exists = self.fetch(key, (&path, &name)).await?.is_some();
                let outcome = if exists {
                    self.update(key, (&path, &name), value).await?
                } else {
                    let request = PeerRequest::post(format!("{RAW}/{name}"))
                        .json(&self.body(&path, Some(value)))
                        .credential(value);
                    let answer = self.call("create", key, request).await?;
                    if answer.status() == 200 {
                        self.changed("create", key, &name, &answer)?;
                        "created"
                    } else if already_exists(&answer) {
                        // Another writer created it between the read and the create.
                        self.update(key, (&path, &name), value).await?
                    } else {
                        return Err(self.refused("create", key, &answer));
                    }
                };
                span.set_attribute(KeyValue::new(attr::SECRETS_WRITE_ACTION, outcome));
                Ok(())
            },
        )
        .await
    }

    /// Replaces the value of the existing secret `path`/`name`.
    async fn update(
        &self,
        key: &str,
        (path, name): (&str, &str),
        value: &Secret<String>,
    ) -> Result<&'static str, InfisicalError> {
        let request = PeerRequest::patch(format!("{RAW}/{name}"))
            .json(&self.body(path, Some(value)))
            .credential(value);
        let answer = self.call("update", key, request).await?;
        if answer.status() != 200 {
            return Err(self.refused("update", key, &answer));
        }
        self.changed("update", key, name, &answer)?;
        Ok("updated")
    }

    pub(crate) async fn delete(&self, key: &str) -> Result<bool, InfisicalError> {
        in_span_async(
            TRACER_NAME,
            SecretsOp::DeleteSecret,
            self.attributes(Some(key)),
            |span| async move {
                let (path, name) = self.locate(key)?;
                let request =
                    PeerRequest::delete(format!("{RAW}/{name}")).json(&self.body(&path, None));
                let answer = self.call("delete", key, request).await?;
                let found = match answer.status() {
                    200 => {
                        self.changed("delete", key, &name, &answer)?;
                        true
                    }
                    404 => false,
                    _ => return Err(self.refused("delete", key, &answer)),
                };
                span.set_attribute(KeyValue::new(attr::SECRETS_FOUND, found));
                Ok(found)
            },
        )
        .await
    }

    pub(crate) async fn list(&self, prefix: Option<&str>) -> Result<Vec<String>, InfisicalError> {
        in_span_async(
            TRACER_NAME,
            SecretsOp::ListSecrets,
            self.attributes(None),
            |span| async move {
                let request = self.scoped(PeerRequest::get(RAW), &self.secret_path);
                let answer = self.call("list", "*", request).await?;
                if answer.status() != 200 {
                    return Err(self.refused("list", "*", &answer));
                }
                let names: Names = self.parse("list", "*", &answer)?;
                let mut out: Vec<String> = names
                    .secrets
                    .into_iter()
                    .map(|s| s.key)
                    .filter(|key| prefix.is_none_or(|p| key.starts_with(p)))
                    .collect();
                out.sort();
                span.set_attribute(KeyValue::new(attr::SECRETS_COUNT, count(out.len())));
                Ok(out)
            },
        )
        .await
    }

    pub(crate) fn env_spec(&self, keys: &[&str]) -> Result<serde_json::Value, InfisicalError> {
        let mut attributes = self.attributes(None);
        attributes.push(KeyValue::new(attr::SECRETS_COUNT, count(keys.len())));
        in_span(TRACER_NAME, SecretsOp::PodEnvSpec, attributes, |_span| {
            let Some(secret_name) = &self.managed_secret_name else {
                return Err(InfisicalError::Config {
                    key: "managed_secret_name",
                    reason: "is needed for pod env specs (the Secret the Infisical operator syncs)"
                        .to_owned(),
                });
            };
            let env = keys
                .iter()
                .map(|key| {
                    let valid_env = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    if !valid_env {
                        return Err(InfisicalError::InvalidKey { key: (*key).to_owned() });
                    }
                    Ok(serde_json::json!({
                        "name": key,
                        "valueFrom": { "secretKeyRef": { "name": secret_name, "key": key, "optional": false } },
                    }))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(serde_json::Value::Array(env))
        })
    }

    /// Healthy when the instance answers `/api/status` and the machine identity can log
    /// in (or holds a fresh token).
    pub(crate) async fn health(&self) -> HealthStatus {
        traced_health_async(TRACER_NAME, SecretsOp::HealthCheck, self.attributes(None), |_| async {
            let failed = |source| InfisicalError::StatusCheck { source };
            let answer = self.api.send(PeerRequest::get("/api/status")).await.map_err(failed)?;
            if answer.status() != 200 {
                return Err(failed(answer.error_with(peer_text(&answer))));
            }
            answer.json::<serde_json::Map<String, serde_json::Value>>().map_err(failed)?;
            self.api.access_token().await.map(drop)
        })
        .await
    }
}
