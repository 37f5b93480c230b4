//! Great Expectations suites: the JSON suite format (0.x `expectation_suite_name` /
//! `expectation_type`, and 1.x `name` / `type`), and the checks of a suite validated
//! against the expectations floe evaluates.

use floe_core::plugin::categories::{CheckSpec, QualitySuite};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::QualityGxError;

/// The expectation types floe evaluates, and what their arguments are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expectation {
    /// `expect_column_values_to_not_be_null`.
    NotNull,
    /// `expect_column_values_to_be_unique`.
    Unique,
    /// `expect_column_values_to_be_between` (`min_value`, `max_value`, `strict_min`,
    /// `strict_max`).
    Between,
    /// `expect_column_values_to_be_in_set` (`value_set`).
    InSet,
    /// `expect_column_values_to_match_regex` (`regex`).
    MatchRegex,
    /// `expect_table_row_count_to_be_between` (`min_value`, `max_value`, `strict_min`,
    /// `strict_max`).
    RowCountBetween,
    /// `expect_column_to_exist` (`column_index`, zero-based).
    ColumnToExist,
}

/// Every supported type, by name.
const SUPPORTED: &[(&str, Expectation)] = &[
    ("expect_column_to_exist", Expectation::ColumnToExist),
    ("expect_column_values_to_be_between", Expectation::Between),
    ("expect_column_values_to_be_in_set", Expectation::InSet),
    ("expect_column_values_to_be_unique", Expectation::Unique),
    ("expect_column_values_to_match_regex", Expectation::MatchRegex),
    ("expect_column_values_to_not_be_null", Expectation::NotNull),
    ("expect_table_row_count_to_be_between", Expectation::RowCountBetween),
];

/// The expectation types floe evaluates.
pub fn supported_expectations() -> impl Iterator<Item = &'static str> {
    SUPPORTED.iter().map(|(name, _)| *name)
}

impl Expectation {
    /// The expectation called `kind`.
    pub(crate) fn of(kind: &str) -> Option<Self> {
        SUPPORTED.iter().find(|(name, _)| *name == kind).map(|(_, e)| *e)
    }

    /// Whether it is about one column (all but the row count).
    pub(crate) fn needs_column(self) -> bool {
        self != Self::RowCountBetween
    }

    /// Whether it maps every value of a column to expected or unexpected (and so takes
    /// `mostly`).
    pub(crate) fn is_column_map(self) -> bool {
        !matches!(self, Self::RowCountBetween | Self::ColumnToExist)
    }
}

/// A suite as Great Expectations writes it.
#[derive(Clone, Debug, Deserialize)]
pub struct GxSuite {
    /// `name` (1.x) or `expectation_suite_name` (0.x).
    #[serde(alias = "expectation_suite_name")]
    pub name: String,
    /// The expectations.
    #[serde(default)]
    pub expectations: Vec<GxExpectation>,
}

/// One expectation as Great Expectations writes it.
#[derive(Clone, Debug, Deserialize)]
pub struct GxExpectation {
    /// `type` (1.x) or `expectation_type` (0.x).
    #[serde(rename = "type", alias = "expectation_type")]
    pub kind: String,
    /// Its arguments (`column`, `min_value`, `value_set`, `mostly`, ...).
    #[serde(default)]
    pub kwargs: Map<String, Value>,
}

impl GxSuite {
    /// Parses a suite file's text.
    ///
    /// # Errors
    /// [`QualityGxError::SuiteFormat`] when it is not a Great Expectations suite.
    pub fn from_json(text: &str) -> Result<Self, QualityGxError> {
        serde_json::from_str(text).map_err(|source| QualityGxError::SuiteFormat { source })
    }

    /// The suite as floe checks on `table` (`schema.table` or `table`). Each check is named
    /// `<type>(<column>)`, numbered when a name repeats; its parameters are the kwargs.
    pub fn into_quality_suite(self, table: &str) -> QualitySuite {
        let mut checks: Vec<CheckSpec> = Vec::with_capacity(self.expectations.len());
        for expectation in self.expectations {
            let column =
                expectation.kwargs.get("column").and_then(Value::as_str).map(str::to_owned);
            let base = match &column {
                Some(column) => format!("{}({column})", expectation.kind),
                None => expectation.kind.clone(),
            };
            let repeats = checks
                .iter()
                .filter(|c| c.name == base || c.name.starts_with(&format!("{base}#")))
                .count();
            let name = if repeats == 0 { base } else { format!("{base}#{}", repeats + 1) };
            checks.push(CheckSpec {
                name,
                kind: expectation.kind,
                column,
                params: Value::Object(expectation.kwargs),
            });
        }
        QualitySuite { name: self.name, target: table.to_owned(), checks }
    }
}

/// The argument `key` of a check, if set (and not null).
pub(crate) fn param<'a>(check: &'a CheckSpec, key: &str) -> Option<&'a Value> {
    check.params.get(key).filter(|v| !v.is_null())
}

/// The column a check is about: its `column`, else the `column` argument.
pub(crate) fn column(check: &CheckSpec) -> Option<&str> {
    check.column.as_deref().or_else(|| param(check, "column").and_then(Value::as_str))
}

/// Why the arguments of `check` cannot be evaluated, if they cannot.
pub(crate) fn argument_problem(check: &CheckSpec, expectation: Expectation) -> Option<String> {
    if expectation.needs_column() && column(check).is_none_or(str::is_empty) {
        return Some("needs a column".to_owned());
    }
    let number = |key: &str| param(check, key).is_none_or(Value::is_number);
    let boolean = |key: &str| param(check, key).is_none_or(Value::is_boolean);
    match expectation {
        Expectation::Between | Expectation::RowCountBetween => {
            if !number("min_value") || !number("max_value") {
                return Some("min_value and max_value must be numbers".to_owned());
            }
            let bound = |key: &str| param(check, key).and_then(Value::as_f64);
            match (bound("min_value"), bound("max_value")) {
                (None, None) => return Some("needs min_value or max_value".to_owned()),
                // Great Expectations refuses these too (a validation error, or an exception
                // raised while the expectation runs).
                (Some(min), Some(max)) if min > max => {
                    return Some("min_value must not be greater than max_value".to_owned());
                }
                _ => {}
            }
            if !boolean("strict_min") || !boolean("strict_max") {
                return Some("strict_min and strict_max must be true or false".to_owned());
            }
        }
        Expectation::InSet => match param(check, "value_set") {
            Some(Value::Array(values))
                if values.iter().all(|v| v.is_string() || v.is_number() || v.is_boolean()) => {}
            _ => {
                return Some("value_set must be a list of strings, numbers or booleans".to_owned());
            }
        },
        Expectation::MatchRegex => {
            if !param(check, "regex").is_some_and(Value::is_string) {
                return Some("regex must be a string".to_owned());
            }
        }
        Expectation::ColumnToExist => {
            if param(check, "column_index").is_some_and(|v| v.as_u64().is_none()) {
                return Some("column_index must be a non-negative integer".to_owned());
            }
        }
        Expectation::NotNull | Expectation::Unique => {}
    }
    match param(check, "mostly") {
        Some(_) if !expectation.is_column_map() => Some("does not take mostly".to_owned()),
        Some(v) if !v.as_f64().is_some_and(|m| (0.0..=1.0).contains(&m)) => {
            Some("mostly must be a number from 0 to 1".to_owned())
        }
        _ => None,
    }
}

/// Whether `target` is `table` or `schema.table` with non-empty parts.
pub(crate) fn is_table_name(target: &str) -> bool {
    let parts: Vec<&str> = target.split('.').collect();
    parts.len() <= 2 && parts.iter().all(|p| !p.is_empty() && !p.contains('\0'))
}
