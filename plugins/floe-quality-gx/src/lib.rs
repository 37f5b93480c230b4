//! floe-quality-gx: Great Expectations-compatible data-quality suites evaluated as SQL in
//! DuckDB.
//!
//! A suite in Great Expectations' JSON format ([`GxSuite`]) becomes a [`QualitySuite`] on
//! a table; [`GxQualityProvider`] evaluates the common expectations (not null, unique,
//! between, in set, regex match, row count between, column to exist) as SQL on the
//! configured DuckDB database, and reports each check plus the whole result in Great
//! Expectations' validation-result shape (`QualityReport::native`). Unsupported types are
//! rejected, by name, before anything runs.

mod config;
mod evaluate;
mod suite;
pub mod telemetry;

use std::path::Path;

use floe_core::KeyValue;
use floe_core::plugin::categories::{QualityProvider, QualityReport, QualitySuite};
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginMetadata, ResolvedConfig,
};
use floe_core::quality;
use floe_core::secret::{Secret, scrub};
use floe_core::telemetry::{SanitizedMessage, attr, sanitize_error_message};
use floe_core::text::first_line;

pub use config::GxConfig;
pub use suite::{GxExpectation, GxSuite, supported_expectations};
use telemetry::{PROVIDER, QualityOp, TRACER_NAME};

static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "great_expectations",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::Quality,
    "Great Expectations-compatible suites evaluated as SQL in DuckDB",
)
.with_tracer_name(TRACER_NAME);

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let config: GxConfig = config.decode("quality/great_expectations")?;
    Ok(Box::new(GxQualityProvider::new(config)))
}

floe_core::register_plugin!(METADATA, construct);

/// Why a suite could not be run. Failed expectations are not errors.
#[derive(Debug, thiserror::Error)]
pub enum QualityGxError {
    /// The text is not a Great Expectations suite.
    #[error("not a Great Expectations suite")]
    SuiteFormat {
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// The suite uses expectation types floe does not evaluate.
    #[error("suite {suite} uses unsupported expectation types: {kinds}")]
    UnsupportedExpectations {
        /// The suite.
        suite: String,
        /// The types, comma-separated.
        kinds: String,
    },
    /// An expectation's arguments cannot be evaluated.
    #[error("suite {suite}, expectation {check}: {reason}")]
    InvalidExpectation {
        /// The suite.
        suite: String,
        /// The check.
        check: String,
        /// What is wrong (never an argument's value).
        reason: String,
    },
    /// The suite's target is not `table` or `schema.table`.
    #[error("suite {suite} targets {target:?}, which is not a table name")]
    InvalidTarget {
        /// The suite.
        suite: String,
        /// The target as written.
        target: String,
    },
    /// The database cannot be opened.
    #[error("cannot open the DuckDB database {file}")]
    Open {
        /// The database file name.
        file: String,
        /// DuckDB's error.
        #[source]
        source: EngineError,
    },
    /// A statement failed.
    #[error("{what} failed in suite {suite}")]
    Query {
        /// The suite.
        suite: String,
        /// What was being done (`reading table orders`, `evaluating <check>`).
        what: String,
        /// DuckDB's error.
        #[source]
        source: EngineError,
    },
    /// The blocking task evaluating a suite did not complete.
    #[error("the evaluation of suite {suite} did not complete")]
    Task {
        /// The suite.
        suite: String,
        /// Why.
        #[source]
        source: tokio::task::JoinError,
    },
}

/// DuckDB's error: its first line, with the database path and the suite's string
/// arguments removed, then sanitized.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct EngineError(pub SanitizedMessage);

/// The Great Expectations-compatible provider.
#[derive(Clone, Debug)]
pub struct GxQualityProvider {
    config: GxConfig,
}

impl GxQualityProvider {
    /// A provider for `config`.
    pub fn new(config: GxConfig) -> Self {
        Self { config }
    }

    /// The database file name only.
    fn db_file(&self) -> String {
        let without_query = self.config.database.split('?').next().unwrap_or_default();
        Path::new(without_query)
            .file_name()
            .map_or_else(|| "database".to_owned(), |n| n.to_string_lossy().into_owned())
    }

    fn engine_error(&self, error: &duckdb::Error, suite: Option<&QualitySuite>) -> EngineError {
        let mut known = vec![Secret::new(self.config.database.clone())];
        if let Some(suite) = suite {
            for check in &suite.checks {
                strings(&check.params, &mut known);
            }
        }
        EngineError(sanitize_error_message(&scrub(first_line(&error.to_string()), &known)))
    }

    fn open(&self) -> Result<duckdb::Connection, QualityGxError> {
        let flags = duckdb::Config::default()
            .access_mode(duckdb::AccessMode::ReadOnly)
            .and_then(|f| f.enable_autoload_extension(false));
        flags
            .and_then(|flags| duckdb::Connection::open_with_flags(&self.config.database, flags))
            .map_err(|e| QualityGxError::Open {
                file: self.db_file(),
                source: self.engine_error(&e, None),
            })
    }

    /// Evaluates one suite on a blocking thread.
    async fn run_suite(&self, suite: &QualitySuite) -> Result<QualityReport, QualityGxError> {
        let provider = self.clone();
        let owned = suite.clone();
        tokio::task::spawn_blocking(move || {
            let connection = provider.open()?;
            evaluate::evaluate(&connection, &owned, provider.config.partial_unexpected_count)
                .map_err(|failure| QualityGxError::Query {
                    suite: owned.name.clone(),
                    what: failure.what,
                    source: provider.engine_error(&failure.error, Some(&owned)),
                })
        })
        .await
        .map_err(|source| QualityGxError::Task { suite: suite.name.clone(), source })?
    }
}

/// Every string in `value` (arguments a database error could echo), as known values.
fn strings(value: &serde_json::Value, out: &mut Vec<Secret<String>>) {
    match value {
        serde_json::Value::String(s) if s.len() >= 4 => out.push(Secret::new(s.clone())),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

impl Plugin for GxQualityProvider {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(serde_json::json!({
            "database": self.config.database,
            "partial_unexpected_count": self.config.partial_unexpected_count,
            "expectations": supported_expectations().collect::<Vec<_>>(),
        }))
    }
}

impl QualityProvider for GxQualityProvider {
    type Error = QualityGxError;

    fn validate_expectations(&self, suite: &QualitySuite) -> Result<(), Self::Error> {
        quality::validate_expectations(TRACER_NAME, PROVIDER, suite, || {
            let unsupported =
                suite.unsupported_kinds(|kind| suite::Expectation::of(kind).is_some());
            if !unsupported.is_empty() {
                return Err(QualityGxError::UnsupportedExpectations {
                    suite: suite.name.clone(),
                    kinds: unsupported.join(", "),
                });
            }
            if !suite::is_table_name(&suite.target) {
                return Err(QualityGxError::InvalidTarget {
                    suite: suite.name.clone(),
                    target: suite.target.clone(),
                });
            }
            for check in &suite.checks {
                let expectation =
                    suite::Expectation::of(&check.kind).expect("every kind was checked above");
                if let Some(reason) = suite::argument_problem(check, expectation) {
                    return Err(QualityGxError::InvalidExpectation {
                        suite: suite.name.clone(),
                        check: check.name.clone(),
                        reason,
                    });
                }
            }
            Ok(())
        })
    }

    async fn run_checks(&self, suites: &[QualitySuite]) -> Result<Vec<QualityReport>, Self::Error> {
        quality::run_checks(
            TRACER_NAME,
            PROVIDER,
            suites,
            |s| self.validate_expectations(s),
            |s| self.run_suite(s),
        )
        .await
    }
}

impl Lifecycle for GxQualityProvider {
    /// Healthy when the database opens read-only and answers a query; the
    /// `quality.health_check` span ends as an error otherwise.
    async fn health_check(&self) -> HealthStatus {
        let provider = self.clone();
        let problem = tokio::task::spawn_blocking(move || {
            let connection = provider
                .open()
                .map_err(|e| floe_core::telemetry::describe_error(&e).into_string())?;
            connection
                .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
                .map(|_| ())
                .map_err(|e| provider.engine_error(&e, None).0.into_string())
        })
        .await
        .map_or_else(|_| Some("the health check did not complete".to_owned()), Result::err);
        floe_core::health::traced_health(
            TRACER_NAME,
            QualityOp::HealthCheck,
            vec![KeyValue::new(attr::QUALITY_PROVIDER, PROVIDER)],
            problem,
        )
    }
}
