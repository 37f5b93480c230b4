//! Tracing shared by data-quality providers: every provider runs suites the same way, so
//! the span shape lives here once.
//!
//! ```text
//! quality.run_checks            quality.provider, quality.suites_count, counts, rows
//!   quality.validate_expectations   (one per suite, all before anything runs)
//!   quality.run_suite               quality.suite_name, counts, rows; a quality.check event per check
//!     ...                           the provider's own spans (dbt.run_command, ...)
//! ```
//!
//! Failed checks are a result, not an exception: both spans end `Ok` with the pass and
//! fail counts unless the run itself failed (invalid suite, unreadable data, a tool that
//! crashed), in which case the span ends as an error with the sanitized cause.

use std::future::Future;

use opentelemetry::KeyValue;

use crate::plugin::categories::{QualityReport, QualitySuite};
use crate::telemetry::ops::QualityOp;
use crate::telemetry::{SpanRecorder, attr, in_span, in_span_async};

/// Runs `suites` for `provider` (`dbt`, `great_expectations`) in a `quality.run_checks`
/// span: `validate` on every suite first (each in its own `quality.validate_expectations`
/// span), then `run_suite` on each in its own `quality.run_suite` span.
///
/// # Errors
/// The first error of `validate` or `run_suite`, after it was recorded on the spans.
pub async fn run_checks<'a, E, V, R, Fut>(
    tracer_name: &'static str,
    provider: &'static str,
    suites: &'a [QualitySuite],
    validate: V,
    run_suite: R,
) -> Result<Vec<QualityReport>, E>
where
    E: std::error::Error,
    V: Fn(&'a QualitySuite) -> Result<(), E>,
    R: Fn(&'a QualitySuite) -> Fut,
    Fut: Future<Output = Result<QualityReport, E>>,
{
    let mut attributes = counts(provider, &[]);
    attributes.push(KeyValue::new(attr::QUALITY_SUITES_COUNT, count(suites.len())));
    in_span_async(tracer_name, QualityOp::RunChecks, attributes, |span| async move {
        for suite in suites {
            validate(suite)?;
        }
        let mut reports = Vec::with_capacity(suites.len());
        for suite in suites {
            let mut attributes = counts(provider, &[]);
            attributes.push(KeyValue::new(attr::QUALITY_SUITE_NAME, suite.name.clone()));
            let report =
                in_span_async(tracer_name, QualityOp::RunSuite, attributes, |suite_span| {
                    let run = run_suite(suite);
                    async move {
                        let report = run.await?;
                        record_report(&suite_span, provider, &report);
                        Ok(report)
                    }
                })
                .await?;
            reports.push(report);
            span.set_attributes(counts(provider, &reports));
        }
        Ok(reports)
    })
    .await
}

/// Runs `check` in a `quality.validate_expectations` span for `suite`.
///
/// # Errors
/// `check`'s error (a suite with unsupported check types), recorded on the span.
pub fn validate_expectations<E: std::error::Error>(
    tracer_name: &'static str,
    provider: &'static str,
    suite: &QualitySuite,
    check: impl FnOnce() -> Result<(), E>,
) -> Result<(), E> {
    let attributes = [
        KeyValue::new(attr::QUALITY_PROVIDER, provider),
        KeyValue::new(attr::QUALITY_SUITE_NAME, suite.name.clone()),
        KeyValue::new(attr::QUALITY_CHECKS_COUNT, count(suite.checks.len())),
    ];
    in_span(tracer_name, QualityOp::ValidateExpectations, attributes, |_| check())
}

/// The counts of `reports` with the provider: checks, passed, failed, rows examined.
pub fn counts(provider: &'static str, reports: &[QualityReport]) -> Vec<KeyValue> {
    let checks: usize = reports.iter().map(|r| r.checks.len()).sum();
    let passed: usize = reports.iter().map(QualityReport::pass_count).sum();
    let rows: u64 = reports.iter().map(QualityReport::rows_checked).sum();
    vec![
        KeyValue::new(attr::QUALITY_PROVIDER, provider),
        KeyValue::new(attr::QUALITY_CHECKS_COUNT, count(checks)),
        KeyValue::new(attr::QUALITY_PASS_COUNT, count(passed)),
        KeyValue::new(attr::QUALITY_FAIL_COUNT, count(checks - passed)),
        KeyValue::new(attr::QUALITY_ROWS_CHECKED, i64::try_from(rows).unwrap_or(i64::MAX)),
    ]
}

/// The suite's counts, and one `quality.check` event per check (name, outcome, failing
/// rows; never the failing values).
fn record_report(span: &SpanRecorder, provider: &'static str, report: &QualityReport) {
    span.set_attributes(counts(provider, std::slice::from_ref(report)));
    for check in &report.checks {
        span.add_event(
            attr::QUALITY_CHECK_EVENT,
            vec![
                KeyValue::new(attr::QUALITY_CHECK_NAME, check.name.clone()),
                KeyValue::new(attr::QUALITY_CHECK_PASSED, check.passed),
                KeyValue::new(
                    attr::QUALITY_FAILING_ROWS,
                    i64::try_from(check.failing_rows).unwrap_or(i64::MAX),
                ),
            ],
        );
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
