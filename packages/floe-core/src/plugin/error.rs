//! `PluginError`: how a plugin operation failed, in words safe to show and record.

use std::fmt;

use crate::telemetry::{SanitizedMessage, describe_error};

/// The kind of a plugin failure, for callers that react to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PluginErrorKind {
    /// The plugin's configuration is invalid.
    Config,
    /// The peer could not be reached.
    Unavailable,
    /// The peer refused the credentials.
    Unauthorized,
    /// The peer rejected the request.
    Rejected,
    /// What was asked for does not exist.
    NotFound,
    /// The peer did not answer in time.
    Timeout,
    /// The peer answered something the protocol does not allow.
    Protocol,
    /// Anything else.
    Internal,
}

/// A failed plugin operation: which plugin, what kind of failure, and a sanitized message
/// (the source error is kept for callers that inspect it).
#[derive(Debug, thiserror::Error)]
pub struct PluginError {
    /// The plugin (`alert_channel/slack`).
    pub plugin: String,
    /// The kind of failure.
    pub kind: PluginErrorKind,
    /// What failed, sanitized.
    pub message: SanitizedMessage,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "plugin {}: {}", self.plugin, self.message)
    }
}

impl PluginError {
    /// An error with a fixed message.
    pub fn new(
        plugin: impl Into<String>,
        kind: PluginErrorKind,
        message: SanitizedMessage,
    ) -> Self {
        Self { plugin: plugin.into(), kind, message, source: None }
    }

    /// Wraps a plugin's own error; its text (and source chain) is sanitized.
    pub fn from_error<E>(plugin: impl Into<String>, kind: PluginErrorKind, error: E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        Self {
            plugin: plugin.into(),
            kind,
            message: describe_error(&error),
            source: Some(Box::new(error)),
        }
    }
}
