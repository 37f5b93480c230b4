//! `Secret<T>`: a value that never prints, logs or serializes in clear.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a [`Secret`] shows instead of its value.
pub const REDACTED: &str = "<redacted>";

/// Holds a credential. `Debug`, `Display` and `Serialize` print [`REDACTED`]; the value is
/// reachable only through [`Secret::expose`], so every use of it is easy to find.
///
/// # Examples
/// ```
/// use floe_telemetry::secret::Secret;
///
/// let password = Secret::new("hunter2".to_owned());
/// assert_eq!(format!("{password:?} {password}"), "<redacted> <redacted>");
/// assert_eq!(password.expose(), "hunter2");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a credential.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The credential itself. Call this only where the value is handed to the peer that
    /// needs it (a request header, a connection string), never to format a message.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the credential.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> Serialize for Secret<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Secret<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self)
    }
}

/// `text` with every non-empty value of `secrets` replaced by [`REDACTED`]: for text from a
/// peer that may echo a credential the plugin handed it (a tool's output, a database
/// error), before that text is sanitized. The sanitizer finds credentials by their shape;
/// this finds the ones the plugin knows, whatever their shape.
///
/// # Examples
/// ```
/// use floe_telemetry::secret::{Secret, scrub};
///
/// let key = Secret::new("plain-looking-value".to_owned());
/// let text = scrub("could not convert 'plain-looking-value' to INT64", [&key]);
/// assert_eq!(text, "could not convert '<redacted>' to INT64");
/// ```
pub fn scrub<'a>(text: &str, secrets: impl IntoIterator<Item = &'a Secret<String>>) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        if !secret.expose().is_empty() {
            out = out.replace(secret.expose().as_str(), REDACTED);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{REDACTED, Secret, scrub};

    #[test]
    fn scrub_replaces_every_occurrence_and_ignores_empty_secrets() {
        let secrets = [Secret::new("k3y".to_owned()), Secret::new(String::new())];
        let text = scrub("k3y then k3y again", &secrets);
        assert_eq!(text, format!("{REDACTED} then {REDACTED} again"));
    }

    #[test]
    fn secret_never_prints_or_serializes_its_value() {
        let secret: Secret<String> = serde_json::from_str("\"s3cr3t-value\"").unwrap();
        let shown = format!("{secret} {secret:?} {}", serde_json::to_string(&secret).unwrap());
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert_eq!(secret.expose(), "s3cr3t-value");
    }
}
