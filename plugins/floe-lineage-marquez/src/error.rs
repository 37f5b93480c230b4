//! Errors of the Marquez plugin. Messages name the setting, the event or the backend (as
//! `host[:port]`); never the API key, and Marquez's own words only after they were scrubbed
//! of the key and sanitized.

use floe_core::http::PeerError;
use floe_core::plugin::{PluginError, PluginErrorKind, ResolvedConfig};

use crate::event::EventError;

/// Why an event could not be sent, or the backend not reached.
#[derive(Debug, thiserror::Error)]
pub enum MarquezError {
    /// The configuration is not usable.
    #[error("invalid configuration: {key}: {reason}")]
    Config {
        /// The config key (`url`, `max_attempts`).
        key: &'static str,
        /// What is wrong (never a value).
        reason: String,
    },
    /// The event would not be a valid OpenLineage 2-0-2 run event; it was not sent.
    #[error("invalid run event: {0}")]
    Event(#[from] EventError),
    /// Marquez refused the event, failed it, or gave no usable answer in time.
    #[error("cannot send the {event_type} event to marquez: {source}")]
    Emit {
        /// `START`, `COMPLETE`, ...
        event_type: &'static str,
        /// What the peer-call path saw.
        #[source]
        source: PeerError,
    },
    /// `GET /api/v1/namespaces` was refused, failed, or not answered with a namespaces
    /// list.
    #[error("the marquez connection check (GET /api/v1/namespaces) failed: {source}")]
    Connection {
        /// What the peer-call path saw.
        #[source]
        source: PeerError,
    },
}

impl MarquezError {
    /// The kind of failure, for callers that react to it.
    pub fn kind(&self) -> PluginErrorKind {
        match self {
            Self::Config { .. } => PluginErrorKind::Config,
            Self::Event(_) => PluginErrorKind::Rejected,
            Self::Emit { source, .. } | Self::Connection { source } => source.kind(),
        }
    }

    /// The error `floe compile` reports for a configuration the plugin refuses: named by
    /// its manifest key (`plugins.lineage_backend.config.url`).
    pub(crate) fn in_config(self, config: &ResolvedConfig, plugin: &str) -> PluginError {
        match &self {
            Self::Config { key, reason } => config.invalid(plugin, key, reason),
            _ => PluginError::from_error(plugin, self.kind(), self),
        }
    }
}
