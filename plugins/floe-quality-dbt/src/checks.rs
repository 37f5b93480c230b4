//! Check types, and how a suite's checks are matched to the dbt tests that ran.

use floe_core::plugin::categories::{CheckResult, CheckSpec, DbtCommandResult, DbtNodeResult};
use floe_dbt::{Manifest, ManifestNode};

use crate::QualityDbtError;

/// dbt's own generic tests.
const DBT_TESTS: &[&str] = &["accepted_values", "not_null", "relationships", "unique"];

/// The dbt-expectations tests floe knows (used from the package, or written in the project
/// under the same name).
const EXPECTATIONS: &[&str] = &[
    "expect_column_distinct_count_to_equal",
    "expect_column_max_to_be_between",
    "expect_column_mean_to_be_between",
    "expect_column_min_to_be_between",
    "expect_column_to_exist",
    "expect_column_value_lengths_to_be_between",
    "expect_column_values_to_be_between",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_be_null",
    "expect_column_values_to_be_unique",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_not_match_regex",
    "expect_compound_columns_to_be_unique",
    "expect_table_row_count_to_be_between",
    "expect_table_row_count_to_equal",
];

/// The test name of a check type, without a `dbt_expectations.` or `dbt.` namespace.
pub(crate) fn test_name(kind: &str) -> &str {
    kind.strip_prefix("dbt_expectations.").or_else(|| kind.strip_prefix("dbt.")).unwrap_or(kind)
}

/// Whether `kind` is a dbt test, a dbt-expectations test, or one of `custom`.
pub(crate) fn is_supported(kind: &str, custom: &[String]) -> bool {
    let name = test_name(kind);
    DBT_TESTS.contains(&name)
        || EXPECTATIONS.contains(&name)
        || custom.iter().any(|c| c == kind || c == name)
}

/// Whether a model name is safe to put in `--select` and in a `ref()`.
pub(crate) fn is_model_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether the manifest test `node` is what `spec` asks for: same test, same column, and
/// every parameter of the spec equal to the test's argument.
fn matches(spec: &CheckSpec, node: &ManifestNode) -> bool {
    let Some(meta) = &node.test_metadata else { return false };
    if meta.name != test_name(&spec.kind) {
        return false;
    }
    if spec.column.is_some() && spec.column != node.column_name {
        return false;
    }
    match &spec.params {
        serde_json::Value::Object(params) => {
            params.iter().all(|(k, v)| meta.kwargs.get(k) == Some(v))
        }
        _ => true,
    }
}

/// A test that counts as passed: `pass`, or `warn` (dbt passed it with a warning).
fn passed(node: &DbtNodeResult) -> bool {
    matches!(node.status.as_str(), "pass" | "warn")
}

/// One result per check of the suite (or, for a suite listing none, per test dbt ran on
/// the model); `rows_checked` is left at 0 for the caller to fill in.
///
/// # Errors
/// [`QualityDbtError::ModelNotFound`] when the manifest has no such model, and
/// [`QualityDbtError::CheckNotDefined`] for a listed check no test of the model matches.
pub(crate) fn results(
    model: &str,
    specs: &[CheckSpec],
    manifest: &Manifest,
    run: &DbtCommandResult,
) -> Result<Vec<CheckResult>, QualityDbtError> {
    let model_node = manifest
        .model(model)
        .ok_or_else(|| QualityDbtError::ModelNotFound { model: model.to_owned() })?;
    let ran: Vec<(&ManifestNode, &DbtNodeResult)> = manifest
        .tests_on(&model_node.unique_id)
        .filter_map(|test| run.node(&test.unique_id).map(|result| (test, result)))
        .collect();
    let result = |name: &str, nodes: &[&DbtNodeResult]| CheckResult {
        name: name.to_owned(),
        passed: nodes.iter().all(|n| passed(n)),
        rows_checked: 0,
        failing_rows: nodes.iter().filter_map(|n| n.failures).sum(),
    };
    if specs.is_empty() {
        return Ok(ran.iter().map(|(test, node)| result(&test.name, &[*node])).collect());
    }
    specs
        .iter()
        .map(|spec| {
            let nodes: Vec<&DbtNodeResult> =
                ran.iter().filter(|(test, _)| matches(spec, test)).map(|(_, node)| *node).collect();
            if nodes.is_empty() {
                return Err(QualityDbtError::CheckNotDefined {
                    check: spec.name.clone(),
                    model: model.to_owned(),
                });
            }
            Ok(result(&spec.name, &nodes))
        })
        .collect()
}
