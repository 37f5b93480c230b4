//! Plugin configuration: `${secret:name}` and `${env:NAME}` references resolved, then
//! decoded into the plugin's typed config with errors that name the manifest path.

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{PluginError, PluginErrorKind};
use crate::secret::{REDACTED, Secret};
use crate::telemetry::{EnvSource, SanitizedMessage, sanitize_error_message};

/// Where `${secret:name}` references are looked up.
pub trait SecretSource {
    /// The secret called `name`, if known.
    fn secret(&self, name: &str) -> Option<Secret<String>>;
}

/// Secrets from environment variables: `${secret:db_password}` reads
/// `FLOE_SECRET_DB_PASSWORD`.
#[derive(Clone, Copy)]
pub struct EnvSecrets<'a>(pub &'a dyn EnvSource);

impl std::fmt::Debug for EnvSecrets<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnvSecrets")
    }
}

impl SecretSource for EnvSecrets<'_> {
    fn secret(&self, name: &str) -> Option<Secret<String>> {
        let key: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
            .collect();
        self.0.var(&format!("FLOE_SECRET_{key}")).map(Secret::new)
    }
}

impl<S: SecretSource + ?Sized> SecretSource for &S {
    fn secret(&self, name: &str) -> Option<Secret<String>> {
        (**self).secret(name)
    }
}

impl SecretSource for std::collections::BTreeMap<String, Secret<String>> {
    fn secret(&self, name: &str) -> Option<Secret<String>> {
        self.get(name).cloned()
    }
}

/// A reference that cannot be resolved.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{path}: cannot resolve ${{{kind}:{name}}}: {reason}")]
pub struct ConfigReferenceError {
    /// The manifest path of the value (`plugins.secrets.config.token`).
    pub path: String,
    /// `secret` or `env`.
    pub kind: &'static str,
    /// The name referenced.
    pub name: String,
    /// Why.
    pub reason: &'static str,
}

/// A plugin's config with every reference resolved, and the manifest path it came from.
#[derive(Clone)]
pub struct ResolvedConfig {
    path: String,
    value: Value,
    /// Values that came from secrets: scrubbed from every error message.
    secrets: BTreeSet<String>,
}

impl std::fmt::Debug for ResolvedConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResolvedConfig").field("path", &self.path).finish_non_exhaustive()
    }
}

impl ResolvedConfig {
    /// A config with no references (tests, programmatic set-up).
    pub fn literal(path: impl Into<String>, value: Value) -> Self {
        Self { path: path.into(), value, secrets: BTreeSet::new() }
    }

    /// The manifest path of the config.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Decodes the config into `T` (whose serde attributes should deny unknown fields).
    ///
    /// # Errors
    /// A [`PluginErrorKind::Config`] error naming the manifest path of the bad value; the
    /// message never contains a value that came from a secret.
    pub fn decode<T: DeserializeOwned>(&self, plugin: &str) -> Result<T, PluginError> {
        decode_config(&self.value, &self.path, plugin, &self.secrets)
    }

    /// The manifest path of `key` in this config: `plugins.secrets[0].config.api_server`
    /// for `api_server` (a nested key is written `tls.ca_file`, an element
    /// `schedules[0].cron`); the config's own path for an empty key.
    pub fn key_path(&self, key: &str) -> String {
        if key.is_empty() { self.path.clone() } else { format!("{}.{key}", self.path) }
    }

    /// A [`PluginErrorKind::Config`] error for a value the plugin refused after decoding
    /// (plain `http` to a remote host, a range, a name, a combination):
    /// `<manifest path of key>: <reason>`, scrubbed of every value that came from a secret,
    /// then sanitized. This is how `floe compile` names the manifest key of a plugin's
    /// configuration error; `key` is relative to the config, empty for the config as a whole.
    ///
    /// # Examples
    /// ```
    /// use floe_core::plugin::ResolvedConfig;
    ///
    /// let config = ResolvedConfig::literal("plugins.secrets[0].config", serde_json::json!({}));
    /// let error = config.invalid("secrets/k8s", "api_server", "uses plain http");
    /// assert_eq!(
    ///     error.to_string(),
    ///     "plugin secrets/k8s: plugins.secrets[0].config.api_server: uses plain http"
    /// );
    /// ```
    pub fn invalid(&self, plugin: &str, key: &str, reason: impl std::fmt::Display) -> PluginError {
        let mut text = format!("{}: {reason}", self.key_path(key));
        for secret in self.secrets.iter().filter(|s| !s.is_empty()) {
            text = text.replace(secret.as_str(), REDACTED);
        }
        PluginError::new(plugin, PluginErrorKind::Config, sanitize_error_message(&text))
    }
}

/// Decodes `value` into `T`, naming the path of a bad value below `path` and scrubbing
/// every string in `secrets` from the message.
///
/// # Errors
/// A [`PluginErrorKind::Config`] error.
pub fn decode_config<T: DeserializeOwned>(
    value: &Value,
    path: &str,
    plugin: &str,
    secrets: &BTreeSet<String>,
) -> Result<T, PluginError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let inner = error.path().to_string();
        let at = if inner == "." { path.to_owned() } else { format!("{path}.{inner}") };
        let mut text = format!("{at}: {}", error.inner());
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            text = text.replace(secret.as_str(), REDACTED);
        }
        PluginError::new(plugin, PluginErrorKind::Config, sanitize_error_message(&text))
    })
}

/// Replaces `${secret:name}` and `${env:NAME}` references in every string of `value`.
///
/// # Errors
/// The first reference that cannot be resolved, naming its manifest path.
pub fn resolve_references(
    path: &str,
    value: &Value,
    secrets: &dyn SecretSource,
    env: &dyn EnvSource,
) -> Result<ResolvedConfig, ConfigReferenceError> {
    let mut used = BTreeSet::new();
    let resolved = resolve_value(path, value, secrets, env, &mut used)?;
    Ok(ResolvedConfig { path: path.to_owned(), value: resolved, secrets: used })
}

fn resolve_value(
    path: &str,
    value: &Value,
    secrets: &dyn SecretSource,
    env: &dyn EnvSource,
    used: &mut BTreeSet<String>,
) -> Result<Value, ConfigReferenceError> {
    Ok(match value {
        Value::String(text) => Value::String(resolve_string(path, text, secrets, env, used)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| resolve_value(&format!("{path}[{i}]"), item, secrets, env, used))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    Ok((k.clone(), resolve_value(&format!("{path}.{k}"), v, secrets, env, used)?))
                })
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

fn resolve_string(
    path: &str,
    text: &str,
    secrets: &dyn SecretSource,
    env: &dyn EnvSource,
    used: &mut BTreeSet<String>,
) -> Result<String, ConfigReferenceError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let reference = &after[..end];
        let error = |kind, name: &str, reason| ConfigReferenceError {
            path: path.to_owned(),
            kind,
            name: name.to_owned(),
            reason,
        };
        match reference.split_once(':') {
            Some(("secret", name)) => {
                let value =
                    secrets.secret(name).ok_or_else(|| error("secret", name, "no such secret"))?;
                used.insert(value.expose().clone());
                out.push_str(value.expose());
            }
            Some(("env", name)) => {
                let value =
                    env.var(name).ok_or_else(|| error("env", name, "the variable is not set"))?;
                out.push_str(&value);
            }
            // Not a reference floe knows (`${{ jinja }}` in a dbt setting): kept as written.
            _ => out.push_str(&rest[start..=start + 2 + end]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

impl From<ConfigReferenceError> for PluginError {
    fn from(error: ConfigReferenceError) -> Self {
        PluginError::new("config", PluginErrorKind::Config, SanitizedMessage::from(error))
    }
}

impl From<ConfigReferenceError> for SanitizedMessage {
    fn from(error: ConfigReferenceError) -> Self {
        sanitize_error_message(&error.to_string())
    }
}

/// A numeric config setting outside the range the plugin accepts.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{setting} must be between {min} and {max}, found {found}")]
pub struct OutOfRange {
    /// The setting's key (`timeout_secs`).
    pub setting: &'static str,
    /// The value found.
    pub found: u64,
    /// The lowest value allowed.
    pub min: u64,
    /// The highest value allowed.
    pub max: u64,
}

/// Checks that setting `setting` = `value` lies in `range`.
///
/// # Errors
/// An [`OutOfRange`] naming the setting and the range.
///
/// # Examples
/// ```
/// use floe_core::plugin::check_range;
/// assert!(check_range("timeout_secs", 10, 1..=300).is_ok());
/// let error = check_range("timeout_secs", 0, 1..=300).unwrap_err();
/// assert_eq!(error.to_string(), "timeout_secs must be between 1 and 300, found 0");
/// ```
pub fn check_range(
    setting: &'static str,
    value: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<(), OutOfRange> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(OutOfRange { setting, found: value, min: *range.start(), max: *range.end() })
    }
}
