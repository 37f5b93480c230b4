//! Data-quality providers.

use serde::{Deserialize, Serialize};

use super::CategoryError;

/// One check of a suite.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckSpec {
    /// Check name.
    pub name: String,
    /// Check type (`not_null`, `unique`, `expect_column_values_to_be_between`, ...).
    pub kind: String,
    /// Column, if the check is about one.
    pub column: Option<String>,
    /// Parameters.
    #[serde(default)]
    pub params: serde_json::Value,
}

/// A suite of checks on one table or model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QualitySuite {
    /// Suite name.
    pub name: String,
    /// The table or model checked.
    pub target: String,
    /// The checks.
    pub checks: Vec<CheckSpec>,
}

/// The result of one check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckResult {
    /// Check name.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// Rows examined.
    pub rows_checked: u64,
    /// Rows that failed it.
    pub failing_rows: u64,
}

/// The results of a suite. Failed checks are a result, not an error.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QualityReport {
    /// Suite name.
    pub suite: String,
    /// Per-check results.
    pub checks: Vec<CheckResult>,
}

impl QualityReport {
    /// Checks that passed.
    pub fn pass_count(&self) -> usize {
        self.checks.iter().filter(|c| c.passed).count()
    }

    /// Checks that failed.
    pub fn fail_count(&self) -> usize {
        self.checks.len() - self.pass_count()
    }
}

/// Runs data-quality suites.
pub trait QualityProvider {
    /// The plugin's error.
    type Error: CategoryError;

    /// Rejects unknown check types before anything runs.
    ///
    /// # Errors
    /// Naming the unsupported checks.
    fn validate_expectations(&self, suite: &QualitySuite) -> Result<(), Self::Error>;
    /// Runs a suite.
    fn run_checks(
        &self,
        suite: &QualitySuite,
    ) -> impl Future<Output = Result<QualityReport, Self::Error>> + Send;
}
