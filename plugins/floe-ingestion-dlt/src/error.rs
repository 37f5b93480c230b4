//! The dlt plugin's error.

use floe_core::plugin::OutOfRange;

use crate::driver::{DriverError, ErrorCategory};

/// Why a pipeline or sink operation failed. No message holds a source credential.
#[derive(Debug, thiserror::Error)]
pub enum DltError {
    /// A setting is out of range.
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    /// A configuration value decodes but cannot be used.
    #[error("{key}: {reason}")]
    Config {
        /// The key, relative to the plugin's config (`python`, `credentials.shop_db`).
        key: String,
        /// What is wrong (never the value).
        reason: String,
    },
    /// A pipeline or sink is declared wrongly.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// `pipeline orders` or `sink export`.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// No sink of that name.
    #[error("no sink named {0}")]
    UnknownSink(String),
    /// The driver did not report.
    #[error("pipeline {pipeline}")]
    Driver {
        /// The pipeline.
        pipeline: String,
        /// Why.
        #[source]
        source: DriverError,
    },
    /// dlt reported a failure.
    #[error("pipeline {pipeline} failed ({}, attempt {attempts}): {message}", category.as_str())]
    Failed {
        /// The pipeline.
        pipeline: String,
        /// Transient or permanent.
        category: ErrorCategory,
        /// Attempts made.
        attempts: u32,
        /// dlt's message, sanitized.
        message: String,
    },
    /// The interpreter cannot import dlt.
    #[error("{python} cannot run dlt: {reason}")]
    Unhealthy {
        /// The interpreter's file name (never its directory).
        python: String,
        /// Why.
        reason: String,
    },
}
