//! `DuckDbComputeError`: how an operation of the DuckDB plugin failed.

use floe_core::telemetry::SanitizedMessage;

/// A failed operation. Messages name keys, option names and file names, never a value that
/// could be a credential.
#[derive(Debug, thiserror::Error)]
pub enum DuckDbComputeError {
    /// The configuration is invalid.
    #[error("invalid duckdb config: {key} {reason}")]
    Config {
        /// The key (`settings.s3 region`).
        key: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A catalog alias that is not a plain SQL identifier.
    #[error("catalog alias {alias:?} is not a SQL identifier (letters, digits, underscores)")]
    InvalidAlias {
        /// The alias.
        alias: String,
    },
    /// An `ATTACH` option outside the allow-list.
    #[error("attach option {name:?} is not allowed")]
    OptionNotAllowed {
        /// The option as written.
        name: String,
    },
    /// An `ATTACH` option whose value cannot be written safely.
    #[error("attach option {name} must be {expected}")]
    InvalidOptionValue {
        /// The option.
        name: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// The database file does not exist: the check never creates one.
    #[error("the DuckDB database {file} does not exist")]
    NotFound {
        /// The database file name.
        file: String,
    },
    /// The database could not be opened.
    #[error("cannot open the DuckDB database {file}")]
    Open {
        /// The database file name (or `:memory:`).
        file: String,
        /// DuckDB's error.
        #[source]
        source: EngineError,
    },
    /// A statement failed.
    #[error("{what} failed on the DuckDB database {file}")]
    Query {
        /// What was being done (`applying setting threads`, `reading the version`).
        what: String,
        /// The database file name.
        file: String,
        /// DuckDB's error.
        #[source]
        source: EngineError,
    },
    /// The blocking task running the check did not complete.
    #[error("the DuckDB connection check did not complete")]
    Task(#[source] tokio::task::JoinError),
}

/// DuckDB's error text with the plugin's secret values removed, then sanitized: DuckDB
/// echoes values it cannot use (`Could not convert string '...' to INT64`).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct EngineError(pub SanitizedMessage);
