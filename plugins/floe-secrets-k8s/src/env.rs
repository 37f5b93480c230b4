//! Pod `env` specs: Secret keys injected by `secretKeyRef`, never by value.

use std::collections::BTreeMap;

use floe_core::KeyValue;
use floe_core::telemetry::{attr, in_span};

use crate::K8sSecretsPlugin;
use crate::error::K8sSecretsError;
use crate::ops::count;
use crate::telemetry::{SecretsOp, TRACER_NAME};

impl K8sSecretsPlugin {
    pub(crate) fn env_spec(&self, keys: &[&str]) -> Result<serde_json::Value, K8sSecretsError> {
        // `secrets.count` is the number of keys asked for; on success, the entries made.
        let mut attributes = self.attributes(None);
        attributes.push(KeyValue::new(attr::SECRETS_COUNT, count(keys.len())));
        in_span(TRACER_NAME, SecretsOp::PodEnvSpec, attributes, |span| {
            let mut seen: BTreeMap<String, &str> = BTreeMap::new();
            let mut env = Vec::with_capacity(keys.len());
            for key in keys {
                let (name, item) = Self::split(key)?;
                let variable = env_name(item);
                if let Some(first) = seen.insert(variable.clone(), key) {
                    return Err(K8sSecretsError::DuplicateEnv {
                        variable,
                        first: first.to_owned(),
                        second: (*key).to_owned(),
                    });
                }
                env.push(serde_json::json!({
                    "name": variable,
                    "valueFrom": { "secretKeyRef": { "name": name, "key": item, "optional": false } },
                }));
            }
            span.set_attribute(KeyValue::new(attr::SECRETS_COUNT, count(env.len())));
            Ok(serde_json::Value::Array(env))
        })
    }
}

/// The environment variable a data key is injected as: upper case, anything but ASCII
/// letters and digits as `_`, and a leading `_` before a digit.
pub(crate) fn env_name(item: &str) -> String {
    let mut out: String = item
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}
