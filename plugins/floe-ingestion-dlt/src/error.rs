//! The dlt plugin's error.

use floe_core::plugin::OutOfRange;

use crate::driver::{DriverError, ErrorCategory};

/// Why a pipeline or sink operation failed. No message holds a source credential.
#[derive(Debug, thiserror::Error)]
pub enum DltError {
    /// A setting is out of range.
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
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
        /// The interpreter.
        python: String,
        /// Why.
        reason: String,
    },
}
