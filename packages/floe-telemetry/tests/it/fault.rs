//! Telemetry fault injection (feature `fault-injection`, on in every test build through the
//! testkit): each `FLOE_FAULT` makes the domain-span layer lie exactly as documented in
//! `floe_telemetry::fault`, and no other way.
//!
//! The fault is read once per process, so [`every_fault_lies_as_documented_in_its_own_process`]
//! runs [`one_scenario_tells_the_truth_or_the_lie_of_floe_fault`] again in a child process of
//! this test binary per fault; run without `FLOE_FAULT`, that scenario checks the truth.

use std::path::Path;
use std::process::Command;

use floe_otel_testkit::{Capture, OrphanReason, expect, orphans};
use floe_telemetry::ops::AlertOp;
use floe_telemetry::{DomainSpan, SanitizedMessage, attr, fault, in_span, sanitize_error_message};
use opentelemetry::KeyValue;

const TRACER: &str = "floe.test.fault";
const SECRET: &str = "FLOETEST-f4ult-s3cr3t";

#[derive(Debug, thiserror::Error)]
#[error("peer refused token={0}")]
struct Refused(String);

/// The scenario: a delivery (`alert.send`, an attribute at start and one set later) with
/// a failing config check inside (`alert.validate_config`, its error text carrying a
/// secret), an unhealthy health check (`fail_soft` on the span) and a degraded one
/// (`fail_soft` on a recorder, then success).
fn scenario() {
    let send = DomainSpan::start_with(
        TRACER,
        AlertOp::Send,
        [KeyValue::new(attr::ALERT_CHANNEL, "webhook")],
    );
    {
        let _attached = send.context().clone().attach();
        send.set_attribute(KeyValue::new(attr::ALERT_SEVERITY, "critical"));
        let checked: Result<(), Refused> =
            in_span(TRACER, AlertOp::ValidateConfig, [], |_| Err(Refused(SECRET.to_owned())));
        assert!(checked.is_err());
        DomainSpan::start(TRACER, AlertOp::HealthCheck)
            .fail_soft("unhealthy", SanitizedMessage::from_static("peer is down"));
        let degraded = DomainSpan::start(TRACER, AlertOp::HealthCheck);
        degraded.recorder().fail_soft("degraded", SanitizedMessage::from_static("peer is slow"));
        degraded.succeed();
    }
    send.succeed();
}

fn send() -> expect::SpanExpectation {
    expect::span("alert.send").scope(TRACER)
}

fn validate() -> expect::SpanExpectation {
    expect::span("alert.validate_config").scope(TRACER).parent("alert.send")
}

fn health() -> expect::SpanExpectation {
    expect::span("alert.health_check").scope(TRACER).parent("alert.send")
}

/// What the scenario records without a fault.
fn assert_truth(capture: &Capture) {
    capture.assert_one(
        send()
            .ok()
            .root()
            .floe_attributes()
            .attr(attr::ALERT_CHANNEL, "webhook")
            .attr(attr::ALERT_SEVERITY, "critical"),
    );
    capture.assert_one(
        validate()
            .error_description("peer refused token=<REDACTED>")
            .floe_attributes()
            .attr_contains(attr::ERROR_TYPE, "Refused"),
    );
    capture
        .assert_one(health().error_description("peer is down").attr(attr::ERROR_TYPE, "unhealthy"));
    capture
        .assert_one(health().error_description("peer is slow").attr(attr::ERROR_TYPE, "degraded"));
    capture.assert_no_secret(SECRET);
    capture.assert_nothing_escaped();
}

/// What the scenario records under `fault`: only what that fault changes differs.
fn assert_lie(capture: &Capture, fault: &str) {
    match fault {
        "ok-on-failure" => {
            capture.assert_one(send().ok());
            capture.assert_one(
                validate().ok().exception("Refused").attr_contains(attr::ERROR_TYPE, "Refused"),
            );
            capture.assert_count(health().ok().has_attr(attr::ERROR_TYPE), 2);
        }
        "drop-soft-failure" => {
            capture.assert_one(validate().error_description("peer refused token=<REDACTED>"));
            capture.assert_count(
                health().ok().no_attr(attr::ERROR_TYPE).no_event(attr::EXCEPTION_EVENT),
                2,
            );
        }
        "unset-success" => {
            capture.assert_one(send().unset().attr(attr::ALERT_CHANNEL, "webhook"));
            capture.assert_one(validate().error_description("peer refused token=<REDACTED>"));
            capture.assert_one(health().error_description("peer is slow"));
        }
        "sanitizer-bypass" => {
            capture
                .assert_one(validate().error_description(format!("peer refused token={SECRET}")));
            assert_eq!(sanitize_error_message("token=abc123").as_str(), "token=abc123");
        }
        "drop-floe-attributes" => {
            capture.assert_one(
                send().ok().no_attr(attr::FLOE_NAMESPACE).attr(attr::ALERT_CHANNEL, "webhook"),
            );
            capture.assert_one(validate().error().no_attr(attr::FLOE_PRODUCT_NAME));
        }
        "drop-category-attributes" => {
            capture.assert_one(
                send()
                    .ok()
                    .floe_attributes()
                    .no_attr(attr::ALERT_CHANNEL)
                    .no_attr(attr::ALERT_SEVERITY),
            );
            capture.assert_one(validate().error().attr_contains(attr::ERROR_TYPE, "Refused"));
        }
        "new-root" => {
            assert!(capture.spans().is_empty(), "every span left the capture's trace");
            let (_, recent) = orphans();
            for name in ["alert.send", "alert.validate_config", "alert.health_check"] {
                assert!(
                    recent.iter().any(|o| o.name == name && o.reason == OrphanReason::UnknownTrace),
                    "{name} did not start a trace of its own: {recent:?}"
                );
            }
        }
        "rename-span" => {
            let spans = capture.spans();
            assert_eq!(spans.len(), 4);
            for name in spans.names() {
                assert!(name.starts_with("alert."), "{name} left its prefix");
            }
            capture.assert_none(expect::span("alert.send").root());
            capture.assert_some(expect::span(fault_rename("alert.send")).ok().root());
        }
        other => panic!("no expectation for fault {other:?}"),
    }
}

/// The operation after `alert.send` in the registry's `alert.*` spans.
fn fault_rename(name: &str) -> &'static str {
    let alert: Vec<&'static str> = floe_telemetry::conventions::spans()
        .iter()
        .map(|s| s.name)
        .filter(|n| n.starts_with("alert."))
        .collect();
    let at = alert.iter().position(|n| *n == name).expect("a declared alert span");
    alert[(at + 1) % alert.len()]
}

#[test]
fn one_scenario_tells_the_truth_or_the_lie_of_floe_fault() {
    let capture = Capture::start();
    scenario();
    let active = fault::active();
    match active {
        None => assert_truth(&capture),
        Some(name) => assert_lie(&capture, name),
    }
}

fn run_scenario(fault: &str, report: &Path) -> std::process::Output {
    Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", "fault::one_scenario_tells_the_truth_or_the_lie_of_floe_fault"])
        .args(["--test-threads", "1", "--nocapture"])
        .env("FLOE_FAULT", fault)
        .env("FLOE_FAULT_REPORT", report)
        .output()
        .expect("the test binary runs")
}

#[test]
fn every_fault_lies_as_documented_in_its_own_process() {
    let dir = tempfile_dir();
    for name in fault::NAMES {
        let report = dir.join(name);
        let output = run_scenario(name, &report);
        assert!(
            output.status.success(),
            "under FLOE_FAULT={name}:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let reported = std::fs::read_to_string(&report).unwrap_or_default();
        assert_eq!(reported, format!("{name}\n"), "FLOE_FAULT_REPORT of {name}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_unknown_fault_fails_at_the_first_span_naming_the_valid_ones() {
    let dir = tempfile_dir();
    let output = run_scenario("ok-on-falure", &dir.join("report"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!output.status.success(), "an unknown fault was ignored:\n{text}");
    assert!(text.contains("unknown FLOE_FAULT \"ok-on-falure\""), "{text}");
    assert!(fault::NAMES.iter().all(|name| text.contains(name)), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}

/// A fresh scratch directory for the fault reports.
fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "floe-fault-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}
