//! The provider's spans from real evaluations in DuckDB: failed expectations are counted
//! on `Ok` spans; a run that cannot happen is an error naming why (each error variant that
//! reaches a span is driven here); no data value, argument or SQL text is recorded.

use floe_core::plugin::categories::{QualityProvider as _, QualitySuite};
use floe_core::plugin::{HealthStatus, Lifecycle as _};
use floe_core::telemetry::{attr, describe_error};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::{Capture, expect};
use floe_quality_gx::telemetry::TRACER_NAME;
use floe_quality_gx::{GxConfig, GxQualityProvider, GxSuite, QualityGxError};
use serde_json::json;

use crate::peer::{ORDERS_SUITE, STRICT_SUITE, Warehouse};

fn suite(json: &str) -> QualitySuite {
    GxSuite::from_json(json).expect("a valid suite").into_quality_suite("main.orders")
}

fn one(kind: &str, kwargs: &serde_json::Value) -> QualitySuite {
    let json = json!({ "name": "one", "expectations": [{ "type": kind, "kwargs": kwargs }] });
    suite(&json.to_string())
}

/// A span of this provider with its common attributes.
fn span(name: &str) -> expect::SpanExpectation {
    expect::span(name)
        .scope(TRACER_NAME)
        .floe_attributes()
        .attr(attr::QUALITY_PROVIDER, "great_expectations")
}

#[tokio::test]
async fn failed_expectations_leave_the_spans_ok_with_counts_and_one_event_each() {
    let warehouse = Warehouse::create();
    let provider = GxQualityProvider::new(GxConfig::new(warehouse.database()));
    let capture = Capture::start();
    let reports = provider.run_checks(&[suite(ORDERS_SUITE), suite(STRICT_SUITE)]).await.unwrap();
    assert_eq!((reports[0].fail_count(), reports[1].fail_count()), (0, 3));
    capture.assert_one(
        span("quality.run_checks")
            .root()
            .ok()
            .attr(attr::QUALITY_SUITES_COUNT, 2_i64)
            .attr(attr::QUALITY_CHECKS_COUNT, 11_i64)
            .attr(attr::QUALITY_PASS_COUNT, 8_i64)
            .attr(attr::QUALITY_FAIL_COUNT, 3_i64)
            .attr(attr::QUALITY_ROWS_CHECKED, 12_i64),
    );
    capture.assert_one(
        span("quality.run_suite")
            .parent("quality.run_checks")
            .ok()
            .attr(attr::QUALITY_SUITE_NAME, "orders_strict")
            .attr(attr::QUALITY_CHECKS_COUNT, 4_i64)
            .attr(attr::QUALITY_PASS_COUNT, 1_i64)
            .attr(attr::QUALITY_FAIL_COUNT, 3_i64)
            .attr(attr::QUALITY_ROWS_CHECKED, 6_i64)
            .event(
                expect::event("quality.check")
                    .attr(attr::QUALITY_CHECK_NAME, "expect_column_values_to_be_in_set(status)")
                    .attr(attr::QUALITY_CHECK_PASSED, false)
                    .attr(attr::QUALITY_FAILING_ROWS, 3_i64),
            ),
    );
    capture.assert_one(
        span("quality.run_suite")
            .parent("quality.run_checks")
            .ok()
            .attr(attr::QUALITY_SUITE_NAME, "orders_suite")
            .attr(attr::QUALITY_FAIL_COUNT, 0_i64),
    );
    capture
        .assert_count(span("quality.validate_expectations").parent("quality.run_checks").ok(), 2);
    // Data values (the unexpected statuses and amounts) and SQL never reach a span.
    let rendered = capture.spans().render();
    for text in ["returned", "shipped", "210", "SELECT", "count(*)"] {
        assert!(!rendered.contains(text), "{text:?} reached a span:\n{rendered}");
    }
    capture.assert_conforms();
}

#[tokio::test]
async fn an_unsupported_expectation_type_is_rejected_by_name_before_anything_runs() {
    let warehouse = Warehouse::create();
    let provider = GxQualityProvider::new(GxConfig::new(warehouse.database()));
    let mut bad = suite(ORDERS_SUITE);
    bad.checks[0].kind = "expect_column_kl_divergence_to_be_less_than".to_owned();
    bad.checks[3].kind = "expect_column_values_to_be_json_parseable".to_owned();
    let capture = Capture::start();
    let err = provider.run_checks(&[bad]).await.unwrap_err();
    assert!(matches!(err, QualityGxError::UnsupportedExpectations { .. }), "{err:?}");
    let expected = "suite orders_suite uses unsupported expectation types: \
                    expect_column_kl_divergence_to_be_less_than, expect_column_values_to_be_json_parseable";
    assert_eq!(err.to_string(), expected);
    capture.assert_one(
        span("quality.validate_expectations")
            .parent("quality.run_checks")
            .error_description(expected)
            .exception("QualityGxError"),
    );
    capture.assert_one(
        span("quality.run_checks")
            .root()
            .error_description(expected)
            .attr(attr::QUALITY_CHECKS_COUNT, 0_i64),
    );
    capture.assert_none(expect::span("quality.run_suite"));
    capture.assert_conforms();
}

#[tokio::test]
async fn arguments_great_expectations_refuses_end_validation_as_an_error_without_values() {
    let warehouse = Warehouse::create();
    let provider = GxQualityProvider::new(GxConfig::new(warehouse.database()));
    let bounds = one(
        "expect_column_values_to_be_between",
        &json!({ "column": "amount", "min_value": 1000, "max_value": 10 }),
    );
    let capture = Capture::start();
    let err = provider.run_checks(&[bounds]).await.unwrap_err();
    assert!(matches!(err, QualityGxError::InvalidExpectation { .. }), "{err:?}");
    let expected = "suite one, expectation expect_column_values_to_be_between(amount): \
                    min_value must not be greater than max_value";
    assert_eq!(err.to_string(), expected);
    capture.assert_one(
        span("quality.validate_expectations")
            .parent("quality.run_checks")
            .error_description(expected)
            .exception("QualityGxError"),
    );
    capture.assert_one(span("quality.run_checks").root().error_description(expected));
    capture.assert_none(expect::span("quality.run_suite"));
    let rendered = capture.spans().render();
    assert!(!rendered.contains("1000"), "an argument reached a span:\n{rendered}");
    capture.assert_conforms();
}

#[tokio::test]
async fn a_target_that_is_not_a_table_name_is_refused_before_anything_runs() {
    let warehouse = Warehouse::create();
    let provider = GxQualityProvider::new(GxConfig::new(warehouse.database()));
    let mut target = suite(ORDERS_SUITE);
    target.target = "lake.main.orders".to_owned();
    let capture = Capture::start();
    let err = provider.run_checks(&[target]).await.unwrap_err();
    assert!(matches!(err, QualityGxError::InvalidTarget { .. }), "{err:?}");
    let expected = "suite orders_suite targets \"lake.main.orders\", which is not a table name";
    assert_eq!(err.to_string(), expected);
    capture.assert_one(
        span("quality.validate_expectations")
            .parent("quality.run_checks")
            .error_description(expected)
            .exception("QualityGxError"),
    );
    capture.assert_one(span("quality.run_checks").root().error_description(expected));
    capture.assert_none(expect::span("quality.run_suite"));
    capture.assert_conforms();
}

#[tokio::test]
async fn a_missing_table_fails_the_run_quoting_duckdb_without_sql() {
    let warehouse = Warehouse::create();
    let provider = GxQualityProvider::new(GxConfig::new(warehouse.database()));
    let mut missing = suite(ORDERS_SUITE);
    missing.target = "main.no_such_table".to_owned();
    let capture = Capture::start();
    let err = provider.run_checks(&[missing]).await.unwrap_err();
    assert!(matches!(err, QualityGxError::Query { .. }), "{err:?}");
    let text = describe_error(&err).into_string();
    assert!(
        text.starts_with("reading table main.no_such_table failed in suite orders_suite: Catalog Error: Table with name no_such_table does not exist"),
        "{text}"
    );
    assert!(!text.contains("LINE") && !text.contains("SELECT"), "{text}");
    capture.assert_one(
        span("quality.run_suite")
            .parent("quality.run_checks")
            .attr(attr::QUALITY_SUITE_NAME, "orders_suite")
            .error_containing("reading table main.no_such_table failed in suite orders_suite")
            .exception("QualityGxError"),
    );
    capture.assert_one(span("quality.run_checks").root().error_containing("does not exist"));
    capture.assert_conforms();
}

#[tokio::test]
async fn a_database_error_quoting_a_suite_argument_is_scrubbed_of_it() {
    let secret = planted_secret();
    let warehouse = Warehouse::create();
    let provider = GxQualityProvider::new(GxConfig::new(warehouse.database()));
    // RE2 refuses the pattern and DuckDB's error quotes it.
    let pattern = format!("[{secret}");
    let regex = one(
        "expect_column_values_to_match_regex",
        &json!({ "column": "status", "regex": pattern }),
    );
    let capture = Capture::start();
    let err = provider.run_checks(&[regex]).await.unwrap_err();
    assert!(matches!(err, QualityGxError::Query { .. }), "{err:?}");
    let text = describe_error(&err).into_string();
    assert!(
        text.starts_with(
            "evaluating expect_column_values_to_match_regex(status) failed in suite one: "
        ),
        "{text}"
    );
    assert_text_clean("error", &format!("{err} {err:?} {text}"), &secret);
    capture.assert_one(
        span("quality.run_suite")
            .parent("quality.run_checks")
            .error_containing("evaluating expect_column_values_to_match_regex(status) failed")
            .exception("QualityGxError"),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_database_error_quoting_a_credential_in_the_data_is_redacted_on_the_spans() {
    let secret = planted_secret();
    let warehouse = Warehouse::create();
    // A typed view over amounts loaded as text, one of them a pasted connection setting:
    // DuckDB's cast quotes it, and it is neither a suite argument nor the database path,
    // so only the sanitizer can remove it.
    duckdb::Connection::open(warehouse.database())
        .and_then(|c| {
            c.execute_batch(&format!(
                "CREATE TABLE main.raw_payments AS SELECT * FROM (VALUES \
                   (1, '10.5'), (2, '20'), (3, 'password={secret}')) AS t(id, amount); \
                 CREATE VIEW main.payments AS \
                   SELECT id, CAST(amount AS DOUBLE) AS amount FROM main.raw_payments"
            ))
        })
        .expect("creating the payments view");
    let provider = GxQualityProvider::new(GxConfig::new(warehouse.database()));
    let mut not_null = one("expect_column_values_to_not_be_null", &json!({ "column": "amount" }));
    not_null.target = "main.payments".to_owned();
    let capture = Capture::start();
    let err = provider.run_checks(&[not_null]).await.unwrap_err();
    assert!(matches!(err, QualityGxError::Query { .. }), "{err:?}");
    let text = describe_error(&err).into_string();
    let quoted = "Conversion Error: Could not convert string 'password=<REDACTED>' to DOUBLE";
    capture.assert_one(
        span("quality.run_suite")
            .parent("quality.run_checks")
            .attr(attr::QUALITY_SUITE_NAME, "one")
            .error_containing(quoted)
            .exception("QualityGxError"),
    );
    capture.assert_one(span("quality.run_checks").root().error_containing(quoted));
    assert!(text.contains(quoted), "{text}");
    capture.assert_secret_nowhere(&secret, &[&text, &format!("{err} {err:?}")]);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_database_path_carrying_a_credential_fails_without_quoting_it() {
    let secret = planted_secret();
    let warehouse = Warehouse::create();
    let database =
        format!("{}.missing/lake.duckdb?motherduck_token={secret}", warehouse.database());
    let provider = GxQualityProvider::new(GxConfig::new(database));
    let capture = Capture::start();
    let err = provider.run_checks(&[suite(ORDERS_SUITE)]).await.unwrap_err();
    assert!(matches!(err, QualityGxError::Open { .. }), "{err:?}");
    let text = describe_error(&err).into_string();
    assert!(text.starts_with("cannot open the DuckDB database lake.duckdb: "), "{text}");
    assert_text_clean("error", &format!("{err} {err:?} {text}"), &secret);
    capture.assert_one(
        span("quality.run_suite")
            .parent("quality.run_checks")
            .error_containing("cannot open the DuckDB database lake.duckdb")
            .exception("QualityGxError"),
    );
    capture.assert_one(span("quality.run_checks").root().error_containing("lake.duckdb"));
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn the_health_check_opens_the_database_and_an_unopenable_one_is_an_error_span() {
    let secret = planted_secret();
    let warehouse = Warehouse::create();
    let capture = Capture::start();
    let healthy = GxQualityProvider::new(GxConfig::new(warehouse.database())).health_check().await;
    assert_eq!(healthy, HealthStatus::Healthy);
    let missing = GxQualityProvider::new(GxConfig::new(format!(
        "{}.missing/x.duckdb?motherduck_token={secret}",
        warehouse.database()
    )));
    let status = missing.health_check().await;
    let HealthStatus::Unhealthy { reason } = &status else { panic!("{status:?}") };
    assert!(reason.starts_with("cannot open the DuckDB database x.duckdb"), "{reason}");
    assert_text_clean("health reason", reason, &secret);
    capture.assert_one(span("quality.health_check").root().ok());
    capture.assert_one(
        span("quality.health_check")
            .root()
            .error_containing("cannot open the DuckDB database x.duckdb")
            .exception("unhealthy"),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}
