//! The Great Expectations formats, evaluation semantics (counts, `mostly`, strict bounds,
//! unexpected values) and the validation-result shape, on real DuckDB data.

use floe_core::plugin::categories::{QualityProvider as _, QualityReport, QualitySuite};
use floe_core::plugin::{PluginCategory, ResolvedConfig, find};
use floe_quality_gx::{GxConfig, GxQualityProvider, GxSuite, QualityGxError};
use serde_json::{Value, json};

use crate::peer::{ORDERS_SUITE, STRICT_SUITE, Warehouse};

async fn run(suite: QualitySuite) -> Result<QualityReport, QualityGxError> {
    let warehouse = Warehouse::create();
    let provider = GxQualityProvider::new(GxConfig::new(warehouse.database()));
    provider.run_checks(&[suite]).await.map(|mut reports| reports.remove(0))
}

fn one(kind: &str, kwargs: &Value) -> QualitySuite {
    let json = json!({ "name": "one", "expectations": [{ "type": kind, "kwargs": kwargs }] });
    GxSuite::from_json(&json.to_string()).expect("a valid suite").into_quality_suite("main.orders")
}

#[test]
fn both_suite_formats_parse_into_named_checks() {
    let old = GxSuite::from_json(ORDERS_SUITE).unwrap().into_quality_suite("main.orders");
    assert_eq!(old.name, "orders_suite");
    assert_eq!(old.checks.len(), 7);
    assert_eq!(old.checks[0].name, "expect_column_values_to_not_be_null(id)");
    assert_eq!(old.checks[5].name, "expect_table_row_count_to_be_between");
    assert_eq!(old.checks[2].params["max_value"], 1000);
    let new = GxSuite::from_json(STRICT_SUITE).unwrap().into_quality_suite("orders");
    assert_eq!((new.name.as_str(), new.target.as_str()), ("orders_strict", "orders"));
    let twice = json!({ "name": "t", "expectations": [
        { "type": "expect_column_values_to_not_be_null", "kwargs": { "column": "id" } },
        { "type": "expect_column_values_to_not_be_null", "kwargs": { "column": "id", "mostly": 0.5 } }
    ]});
    let names: Vec<String> = GxSuite::from_json(&twice.to_string())
        .unwrap()
        .into_quality_suite("orders")
        .checks
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(
        names,
        ["expect_column_values_to_not_be_null(id)", "expect_column_values_to_not_be_null(id)#2"]
    );
    assert!(matches!(
        GxSuite::from_json("{\"expectations\": 3}"),
        Err(QualityGxError::SuiteFormat { .. })
    ));
}

#[tokio::test]
async fn the_validation_result_has_great_expectations_shape_and_counts() {
    let report = run(GxSuite::from_json(STRICT_SUITE).unwrap().into_quality_suite("main.orders"))
        .await
        .unwrap();
    let native = report.native.as_ref().expect("a validation result");
    assert_eq!(native["success"], false);
    assert_eq!(
        native["statistics"],
        json!({ "evaluated_expectations": 4, "successful_expectations": 1, "unsuccessful_expectations": 3, "success_percent": 25.0 })
    );
    assert_eq!(native["meta"]["expectation_suite_name"], "orders_strict");
    let between = &native["results"][0];
    assert_eq!(between["success"], false);
    assert_eq!(
        between["expectation_config"]["expectation_type"],
        "expect_column_values_to_be_between"
    );
    assert_eq!(between["exception_info"]["raised_exception"], false);
    let result = &between["result"];
    assert_eq!(
        (
            result["element_count"].as_u64(),
            result["unexpected_count"].as_u64(),
            result["missing_count"].as_u64()
        ),
        (Some(6), Some(2), Some(0))
    );
    let mut values: Vec<f64> = result["partial_unexpected_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    values.sort_by(f64::total_cmp);
    assert_eq!(values, [120.5, 210.0]);
    let unique = &native["results"][2]["result"];
    assert_eq!(unique["unexpected_count"], 4, "customers 1 and 2 have two orders each");
    assert_eq!(report.checks[1].failing_rows, 3);
    assert!(report.checks.iter().all(|c| c.rows_checked == 6));
    assert_eq!(native["results"][3]["success"], true);
}

#[tokio::test]
async fn mostly_strict_bounds_regex_and_row_counts_follow_great_expectations() {
    let in_set = |mostly: f64| {
        one(
            "expect_column_values_to_be_in_set",
            &json!({ "column": "status", "value_set": ["completed"], "mostly": mostly }),
        )
    };
    assert!(run(in_set(0.5)).await.unwrap().checks[0].passed, "3 of 6 expected meets mostly 0.5");
    assert!(!run(in_set(0.6)).await.unwrap().checks[0].passed);
    let strict = one(
        "expect_column_values_to_be_between",
        &json!({ "column": "id", "min_value": 1, "max_value": 6, "strict_min": true }),
    );
    assert_eq!(
        run(strict).await.unwrap().checks[0].failing_rows,
        1,
        "id 1 is not strictly above 1"
    );
    let regex = one(
        "expect_column_values_to_match_regex",
        &json!({ "column": "status", "regex": "^(completed|placed)$" }),
    );
    let report = run(regex).await.unwrap();
    assert_eq!(report.checks[0].failing_rows, 2);
    let mut unexpected =
        report.native.unwrap()["results"][0]["result"]["partial_unexpected_list"].clone();
    unexpected.as_array_mut().unwrap().sort_by_key(ToString::to_string);
    assert_eq!(unexpected, json!(["returned", "shipped"]));
    let rows = one("expect_table_row_count_to_be_between", &json!({ "min_value": 7 }));
    let report = run(rows).await.unwrap();
    assert!(!report.checks[0].passed);
    assert_eq!(report.native.unwrap()["results"][0]["result"], json!({ "observed_value": 6 }));
    let exists = one("expect_column_to_exist", &json!({ "column": "discount" }));
    assert!(!run(exists).await.unwrap().checks[0].passed);
}

#[tokio::test]
async fn malformed_arguments_are_rejected_before_running_without_quoting_values() {
    for (kind, kwargs, reason) in [
        (
            "expect_column_values_to_be_between",
            json!({ "column": "amount" }),
            "needs min_value or max_value",
        ),
        (
            "expect_column_values_to_be_between",
            json!({ "column": "amount", "max_value": "secret-ish" }),
            "min_value and max_value must be numbers",
        ),
        (
            "expect_column_values_to_be_in_set",
            json!({ "column": "status", "value_set": "completed" }),
            "value_set must be a list",
        ),
        (
            "expect_column_values_to_match_regex",
            json!({ "column": "status" }),
            "regex must be a string",
        ),
        (
            "expect_column_values_to_not_be_null",
            json!({ "column": "id", "mostly": 1.5 }),
            "mostly must be a number from 0 to 1",
        ),
        ("expect_column_values_to_be_unique", json!({}), "needs a column"),
        (
            "expect_column_values_to_be_between",
            json!({ "column": "amount", "min_value": 10, "max_value": 1 }),
            "min_value must not be greater than max_value",
        ),
        (
            "expect_table_row_count_to_be_between",
            json!({ "min_value": 1, "strict_min": "yes" }),
            "strict_min and strict_max must be true or false",
        ),
        (
            "expect_column_to_exist",
            json!({ "column": "id", "column_index": -1 }),
            "column_index must be a non-negative integer",
        ),
        (
            "expect_table_row_count_to_be_between",
            json!({ "min_value": 1, "mostly": 0.5 }),
            "does not take mostly",
        ),
    ] {
        let err = run(one(kind, &kwargs)).await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, QualityGxError::InvalidExpectation { .. }), "{text}");
        assert!(text.contains(reason), "{text}");
        assert!(!text.contains("secret-ish"), "{text}");
    }
}

#[tokio::test]
async fn values_are_bound_so_a_quote_in_a_value_set_is_just_a_value() {
    let hostile = one(
        "expect_column_values_to_be_in_set",
        &json!({ "column": "status", "value_set": ["x') OR 1=1 --", "completed"] }),
    );
    let report = run(hostile).await.unwrap();
    assert_eq!(report.checks[0].failing_rows, 3);
}

fn construct(
    config: Value,
) -> Result<Box<dyn floe_core::plugin::Plugin>, floe_core::plugin::PluginError> {
    let descriptor = find(PluginCategory::Quality, "great_expectations").expect("registered");
    (descriptor.construct)(&ResolvedConfig::literal("plugins.quality[1].config", config))
}

#[test]
fn config_rejects_unknown_keys() {
    let err =
        construct(json!({ "database": "w.duckdb", "result_format": "COMPLETE" })).unwrap_err();
    assert!(
        err.to_string().contains("plugins.quality[1].config.result_format: unknown field"),
        "{err}"
    );
    let plugin = construct(json!({ "database": "w.duckdb" })).unwrap();
    assert_eq!(plugin.generated_config().unwrap()["expectations"].as_array().unwrap().len(), 7);
    assert_eq!(plugin.metadata().tracer_name(), Some("floe.quality.gx"));
}
