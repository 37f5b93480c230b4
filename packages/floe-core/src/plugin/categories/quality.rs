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

impl QualitySuite {
    /// The check types of this suite that `supported` rejects, each named once, in order.
    pub fn unsupported_kinds(&self, supported: impl Fn(&str) -> bool) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for check in &self.checks {
            if !supported(&check.kind) && !out.contains(&check.kind) {
                out.push(check.kind.clone());
            }
        }
        out
    }
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
    /// The provider's own result document, when it has one (Great Expectations' validation
    /// result). Holds data values of failing rows: never put it on a span.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub native: Option<serde_json::Value>,
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

    /// Rows the suite examined: the most any one check examined (every check reads the
    /// same table, so adding them up would count rows several times).
    pub fn rows_checked(&self) -> u64 {
        self.checks.iter().map(|c| c.rows_checked).max().unwrap_or(0)
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
    /// Validates every suite, then runs them one after the other, one report per suite.
    /// Failed checks are reported, not returned as an error.
    ///
    /// # Errors
    /// When a suite is invalid or the run itself fails (the data cannot be read).
    fn run_checks(
        &self,
        suites: &[QualitySuite],
    ) -> impl Future<Output = Result<Vec<QualityReport>, Self::Error>> + Send;
}
