//! The traced operations: each runs inside one `secrets.*` span.

use std::collections::BTreeMap;

use floe_core::KeyValue;
use floe_core::plugin::HealthStatus;
use floe_core::secret::Secret;
use floe_core::telemetry::{
    SpanRecorder, attr, describe_error, in_span, in_span_async, sanitize_error_message,
};
use reqwest::Method;
use serde::Deserialize;

use crate::InfisicalPlugin;
use crate::api::{Answer, Infisical, parse};
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
            reason: "secret_path must be an absolute folder path like /apps/floe".to_owned(),
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

    fn scope<'a>(&'a self, path: &'a str) -> [(&'static str, &'a str); 3] {
        [
            ("workspaceId", &self.project_id),
            ("environment", &self.environment),
            ("secretPath", path),
        ]
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

    fn refused(&self, action: &'static str, key: &str, answer: &Answer) -> InfisicalError {
        Infisical::refused(action, key, &self.environment, answer)
    }

    /// The secret at `path`/`name`, `None` when Infisical answers 404.
    async fn fetch(
        &self,
        span: &SpanRecorder,
        key: &str,
        (path, name): (&str, &str),
    ) -> Result<Option<Secret<String>>, InfisicalError> {
        let target = (Method::GET, format!("{RAW}/{name}"));
        let answer =
            self.api.authed(span, "read", (target.0, &target.1), &self.scope(path), None).await?;
        match answer.status {
            200 => Ok(Some(parse::<Envelope>("read", &answer)?.secret.value)),
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
            let value = self.fetch(&span, key, (&path, &name)).await?;
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
                let answer = self
                    .api
                    .authed(&span, "list", (Method::GET, RAW), &self.scope(&path), None)
                    .await?;
                if answer.status == 404 {
                    return Err(InfisicalError::NotFound {
                        key: folder.to_owned(),
                        environment: self.environment.clone(),
                    });
                }
                if answer.status != 200 {
                    return Err(self.refused("list", folder, &answer));
                }
                let listing: Listing = parse("list", &answer)?;
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
                let exists = self.fetch(&span, key, (&path, &name)).await?.is_some();
                let (method, action, outcome) = if exists {
                    (Method::PATCH, "update", "updated")
                } else {
                    (Method::POST, "create", "created")
                };
                let target = format!("{RAW}/{name}");
                let body = self.body(&path, Some(value));
                let answer =
                    self.api.authed(&span, action, (method, &target), &[], Some(&body)).await?;
                if answer.status != 200 {
                    return Err(self.refused(action, key, &answer));
                }
                span.set_attribute(KeyValue::new(attr::SECRETS_WRITE_ACTION, outcome));
                Ok(())
            },
        )
        .await
    }

    pub(crate) async fn delete(&self, key: &str) -> Result<bool, InfisicalError> {
        in_span_async(
            TRACER_NAME,
            SecretsOp::DeleteSecret,
            self.attributes(Some(key)),
            |span| async move {
                let (path, name) = self.locate(key)?;
                let target = format!("{RAW}/{name}");
                let body = self.body(&path, None);
                let answer = self
                    .api
                    .authed(&span, "delete", (Method::DELETE, &target), &[], Some(&body))
                    .await?;
                let found = match answer.status {
                    200 => true,
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
                let answer = self
                    .api
                    .authed(&span, "list", (Method::GET, RAW), &self.scope(&self.secret_path), None)
                    .await?;
                if answer.status != 200 {
                    return Err(self.refused("list", "*", &answer));
                }
                let names: Names = parse("list", &answer)?;
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
                    reason: "pod env specs need managed_secret_name (the Secret the Infisical operator syncs)"
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

    pub(crate) async fn health(&self) -> HealthStatus {
        let checked: Result<HealthStatus, InfisicalError> = in_span_async(
            TRACER_NAME,
            SecretsOp::HealthCheck,
            self.attributes(None),
            |span| async move {
                let status = match self
                    .api
                    .send(&span, "check", (Method::GET, "/api/status"), &[], None, None)
                    .await
                {
                    Ok(answer) if answer.status == 200 => match self.api.access_token().await {
                        Ok(_) => HealthStatus::Healthy,
                        Err(error) => {
                            HealthStatus::Unhealthy { reason: describe_error(&error).to_string() }
                        }
                    },
                    Ok(answer) => HealthStatus::Unhealthy {
                        reason: describe_error(&self.refused("check", "status", &answer))
                            .to_string(),
                    },
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
