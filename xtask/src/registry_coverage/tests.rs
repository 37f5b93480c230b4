//! The merge and the report on fixture record files (`test_data/coverage/`) against a
//! fixture registry, in the format of the testkit's coverage records.

use std::path::{Path, PathBuf};

use super::{Ratio, Report, load_records, render, report};
use crate::exemptions::operation_exemption;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data/coverage").join(name)
}

fn fixture_report(records: &str) -> Report {
    let registry = crate::registry::load(&data("registry")).unwrap();
    let (records, files) = load_records(&data(records)).unwrap();
    report(&registry, &records, files, |tracer, span| {
        operation_exemption(super::RULE, tracer, span, None).map(|e| e.reason)
    })
}

#[test]
fn every_record_file_is_merged_per_tracer_and_span() {
    let report = fixture_report("complete");
    assert_eq!((report.records, report.files), (5, 2));
    assert_eq!(report.spans, Ratio { produced: 3, declared: 3 });
    assert!(report.missing_spans().is_empty());
    let a = report.tracers.iter().find(|t| t.tracer == "floe.demo.a").unwrap();
    let run = a.details.iter().find(|s| s.span == "demo.run").unwrap();
    assert_eq!((run.statuses.ok, run.statuses.error), (2, 0));
    assert_eq!(run.tests, ["tracing::runs", "tracing::runs_again"]);
    assert!(run.undeclared_attributes.is_empty(), "floe.* keys are every span's");
}

#[test]
fn attributes_and_events_are_counted_per_declaring_span_and_reported() {
    let report = fixture_report("complete");
    // demo.run of a: name yes, count no; demo.check: outcome yes; demo.run of b: both.
    assert_eq!(report.attributes, Ratio { produced: 4, declared: 5 });
    assert_eq!(report.events, Ratio { produced: 1, declared: 1 });
    let b = report.tracers.iter().find(|t| t.tracer == "floe.demo.b").unwrap();
    assert_eq!(b.details[0].undeclared_attributes, ["demo.extra"]);
    let text = render(&report, Path::new("target/floe-coverage"));
    assert!(text.contains("floe.demo.a: spans 2/2 (100.0%), attributes 2/3 (66.7%)"), "{text}");
    assert!(text.contains("attributes never produced: demo.count"), "{text}");
    assert!(text.contains("registry-coverage: every declared span was produced"), "{text}");
}

#[test]
fn a_span_no_rust_capture_can_see_is_exempt_with_its_reason_not_counted() {
    let report = fixture_report("complete");
    let dagster = report.tracers.iter().find(|t| t.tracer == "floe.orchestrator.dagster").unwrap();
    assert_eq!(dagster.spans, Ratio { produced: 0, declared: 0 });
    assert!(dagster.details[0].exempt.is_some_and(|r| r.contains("OTLP receiver")));
}

#[test]
fn records_of_undeclared_spans_are_listed_and_never_count() {
    let report = fixture_report("complete");
    assert_eq!(report.undeclared.len(), 1);
    assert_eq!(
        (report.undeclared[0].tracer.as_str(), report.undeclared[0].span.as_str()),
        ("test", "test.outer")
    );
}

#[test]
fn a_declared_span_no_test_produced_fails_naming_tracer_and_span() {
    let report = fixture_report("partial");
    assert_eq!(report.spans, Ratio { produced: 1, declared: 3 });
    assert_eq!(
        report.missing_spans(),
        [("floe.demo.a", "demo.check"), ("floe.demo.b", "demo.run")]
    );
    let text = render(&report, Path::new("x"));
    assert!(text.contains("MISSING   demo.check: no test produced it"), "{text}");
    assert!(
        text.contains("registry-coverage: 2 declared spans no test produced: demo.check (floe.demo.a), demo.run (floe.demo.b)"),
        "{text}"
    );
    assert!(text.contains("overall: spans 1/3 (33.3%)"), "{text}");
}

#[test]
fn the_json_report_holds_every_tracer_span_and_attribute() {
    let json = serde_json::to_value(fixture_report("partial")).unwrap();
    assert_eq!(json["spans"], serde_json::json!({ "produced": 1, "declared": 3 }));
    let a = &json["tracers"][0];
    assert_eq!(a["tracer"], "floe.demo.a");
    assert_eq!(a["details"][0]["span"], "demo.check");
    assert_eq!(a["details"][0]["produced"], false);
    assert_eq!(
        a["details"][1]["attributes"][0],
        serde_json::json!({ "key": "demo.name", "requirement": "required", "produced": true })
    );
}

#[test]
fn a_line_that_is_not_a_record_is_an_error_naming_file_and_line() {
    let error = format!("{:#}", load_records(&data("malformed")).unwrap_err());
    assert!(error.contains("it-1.jsonl:2: not a coverage record"), "{error}");
}

#[test]
fn no_records_is_an_error_that_says_to_run_the_tests() {
    let empty = tempfile::tempdir().unwrap();
    let error = format!("{:#}", load_records(empty.path()).unwrap_err());
    assert!(
        error.contains("holds no coverage record") && error.contains("run the tests first"),
        "{error}"
    );
    let error = format!("{:#}", load_records(&empty.path().join("missing")).unwrap_err());
    assert!(error.contains("run the tests first"), "{error}");
}

#[test]
fn the_task_fails_below_every_declared_span_and_refuses_bad_arguments() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let dir = data("partial").display().to_string();
    assert!(
        !super::run(
            &root,
            &["--dir".to_owned(), dir.clone(), "--format".to_owned(), "json".to_owned()]
        )
        .unwrap()
    );
    assert!(super::run(&root, &["--bogus".to_owned()]).is_err());
    assert!(super::run(&root, &["--dir".to_owned()]).is_err());
}
