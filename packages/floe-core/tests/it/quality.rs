//! `floe_core::quality`: the span shape every quality provider shares.

use floe_core::plugin::categories::{CheckResult, CheckSpec, QualityReport, QualitySuite};
use floe_core::quality::{run_checks, validate_expectations};
use floe_core::telemetry::attr;
use floe_otel_testkit::{Capture, expect};

const TRACER: &str = "floe.test.quality";

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("unsupported check types in suite {suite}: {kinds}")]
    Unsupported { suite: String, kinds: String },
    #[error("table {0} cannot be read")]
    Unreadable(String),
}

fn suite(name: &str, kinds: &[&str]) -> QualitySuite {
    QualitySuite {
        name: name.to_owned(),
        target: "orders".to_owned(),
        checks: kinds
            .iter()
            .map(|k| CheckSpec {
                name: format!("{name}_{k}"),
                kind: (*k).to_owned(),
                column: Some("id".to_owned()),
                params: serde_json::Value::Null,
            })
            .collect(),
    }
}

fn validate(suite: &QualitySuite) -> Result<(), Failure> {
    validate_expectations(TRACER, "test", suite, || {
        let unsupported = suite.unsupported_kinds(|k| k != "bogus");
        if unsupported.is_empty() {
            Ok(())
        } else {
            Err(Failure::Unsupported { suite: suite.name.clone(), kinds: unsupported.join(", ") })
        }
    })
}

async fn evaluate(suite: &QualitySuite) -> Result<QualityReport, Failure> {
    if suite.name == "broken" {
        return Err(Failure::Unreadable(suite.target.clone()));
    }
    let checks = suite
        .checks
        .iter()
        .map(|c| {
            let failing = u64::from(c.kind == "fails");
            CheckResult {
                name: c.name.clone(),
                passed: failing == 0,
                rows_checked: 10,
                failing_rows: failing * 3,
            }
        })
        .collect();
    Ok(QualityReport { suite: suite.name.clone(), checks, native: None })
}

#[tokio::test]
async fn failed_checks_are_counted_on_ok_spans_with_one_event_per_check() {
    let suites =
        [suite("orders", &["not_null", "unique"]), suite("amounts", &["fails", "not_null"])];
    let capture = Capture::start();
    let reports = run_checks(TRACER, "test", &suites, validate, evaluate).await.unwrap();
    assert_eq!(reports.len(), 2);
    capture.assert_one(
        expect::span("quality.run_checks")
            .root()
            .ok()
            .attr(attr::QUALITY_PROVIDER, "test")
            .attr(attr::QUALITY_SUITES_COUNT, 2_i64)
            .attr(attr::QUALITY_CHECKS_COUNT, 4_i64)
            .attr(attr::QUALITY_PASS_COUNT, 3_i64)
            .attr(attr::QUALITY_FAIL_COUNT, 1_i64)
            .attr(attr::QUALITY_ROWS_CHECKED, 20_i64),
    );
    capture.assert_one(
        expect::span("quality.run_suite")
            .parent("quality.run_checks")
            .ok()
            .attr(attr::QUALITY_SUITE_NAME, "amounts")
            .attr(attr::QUALITY_FAIL_COUNT, 1_i64)
            .attr(attr::QUALITY_ROWS_CHECKED, 10_i64)
            .event(
                expect::event("quality.check")
                    .attr(attr::QUALITY_CHECK_NAME, "amounts_fails")
                    .attr(attr::QUALITY_CHECK_PASSED, false)
                    .attr(attr::QUALITY_FAILING_ROWS, 3_i64),
            ),
    );
    capture.assert_tree(
        expect::tree(expect::span("quality.run_checks"))
            .child(expect::tree(
                expect::span("quality.validate_expectations")
                    .attr(attr::QUALITY_SUITE_NAME, "orders"),
            ))
            .child(expect::tree(
                expect::span("quality.validate_expectations")
                    .attr(attr::QUALITY_SUITE_NAME, "amounts"),
            ))
            .child(expect::tree(
                expect::span("quality.run_suite").attr(attr::QUALITY_SUITE_NAME, "orders"),
            ))
            .child(expect::tree(
                expect::span("quality.run_suite").attr(attr::QUALITY_SUITE_NAME, "amounts"),
            ))
            .in_order()
            .exact(),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn an_invalid_suite_fails_before_any_suite_runs() {
    let suites = [suite("orders", &["not_null"]), suite("bad", &["bogus", "not_null", "bogus"])];
    let capture = Capture::start();
    let err = run_checks(TRACER, "test", &suites, validate, evaluate).await.unwrap_err();
    assert_eq!(err.to_string(), "unsupported check types in suite bad: bogus");
    capture.assert_one(
        expect::span("quality.validate_expectations")
            .attr(attr::QUALITY_SUITE_NAME, "bad")
            .error_containing("bogus"),
    );
    capture.assert_one(
        expect::span("quality.run_checks").error().attr(attr::QUALITY_CHECKS_COUNT, 0_i64),
    );
    capture.assert_none(expect::span("quality.run_suite"));
    capture.assert_conforms();
}

#[tokio::test]
async fn a_run_that_cannot_read_its_data_is_an_error_on_both_spans() {
    let suites = [suite("orders", &["not_null"]), suite("broken", &["not_null"])];
    let capture = Capture::start();
    let err = run_checks(TRACER, "test", &suites, validate, evaluate).await.unwrap_err();
    assert_eq!(err.to_string(), "table orders cannot be read");
    capture.assert_one(
        expect::span("quality.run_suite")
            .attr(attr::QUALITY_SUITE_NAME, "broken")
            .error_containing("cannot be read"),
    );
    capture.assert_one(
        expect::span("quality.run_checks").error().attr(attr::QUALITY_CHECKS_COUNT, 1_i64),
    );
    capture.assert_conforms();
}
