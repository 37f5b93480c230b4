//! Every assertion passes on a matching capture and fails with a message that shows the
//! expectation, the closest span with a per-field diff, the captured names and the tree.

use floe_otel_testkit::{Capture, expect};
use floe_telemetry::{DomainSpan, SanitizedMessage, attr};
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry::{Key, KeyValue, Value};

use crate::support::{DemoOp, TRACER, failure_message, span};

const CHANNEL: Key = Key::from_static_str("alert.channel");
const ATTEMPTS: Key = Key::from_static_str("alert.attempts");

#[derive(Debug, thiserror::Error)]
#[error("webhook rejected the alert with status {0}")]
struct Rejected(u16);

/// One ok span with attributes and an event, one failed span as its child.
fn sample() -> Capture {
    let capture = Capture::start();
    let parent = DomainSpan::start_with(
        TRACER,
        DemoOp::Send,
        [KeyValue::new(CHANNEL, "#ops"), KeyValue::new(ATTEMPTS, 2_i64)],
    );
    parent.add_event("retry", vec![KeyValue::new("attempt", 1_i64)]);
    {
        let _in_parent = parent.context().clone().attach();
        DomainSpan::start(TRACER, DemoOp::Deliver).fail(&Rejected(403));
    }
    parent.succeed();
    capture
}

#[test]
fn assert_one_passes_on_name_kind_status_attributes_event_parent_and_scope() {
    let capture = sample();
    capture.assert_one(
        expect::span("alert.send")
            .kind(SpanKind::Internal)
            .ok()
            .attr(CHANNEL, "#ops")
            .attr(ATTEMPTS, 2_i64)
            .attr_contains(CHANNEL, "op")
            .attr_matches(CHANNEL, r"^#[a-z]+$")
            .attr_satisfies(
                ATTEMPTS,
                "at least one attempt",
                |v| matches!(v, Value::I64(n) if *n >= 1),
            )
            .has_attr(attr::FLOE_NAMESPACE)
            .no_attr(attr::ERROR_TYPE)
            .event(expect::event("retry").attr("attempt", 1_i64))
            .no_event("exception")
            .root()
            .scope(TRACER),
    );
    capture.assert_one(
        expect::span("alert.deliver")
            .parent("alert.send")
            .error_containing("status 403")
            .error_description("webhook rejected the alert with status 403")
            .exception("Rejected")
            .exception_message_containing("403")
            .attr_contains(attr::ERROR_TYPE, "Rejected"),
    );
}

#[test]
fn assert_one_failure_shows_the_closest_span_with_a_per_field_diff() {
    let capture = sample();
    let message = failure_message(|| {
        capture.assert_one(expect::span("alert.send").error().attr(CHANNEL, "#alerts"));
    });
    for expected in [
        "expected exactly one span matching:\nspan \"alert.send\"",
        "status: error",
        "attribute alert.channel: = \"#alerts\"",
        "found 0 among 2 captured spans: [\"alert.deliver\", \"alert.send\"]",
        "closest span: \"alert.send\" (#1 in the tree below)",
        "  ok   name \"alert.send\"",
        "  FAIL status error\n         actual: ok",
        "  FAIL attribute alert.channel = \"#alerts\"\n         actual: \"#ops\"",
        "captured tree:\n#1 alert.send [internal] ok (floe.test.kit)",
    ] {
        assert!(message.contains(expected), "missing {expected:?} in:\n{message}");
    }
}

#[test]
fn assert_one_fails_when_several_spans_match() {
    let capture = Capture::start();
    DomainSpan::start(TRACER, DemoOp::Send).succeed();
    DomainSpan::start(TRACER, DemoOp::Send).succeed();
    let message = failure_message(|| {
        capture.assert_one(expect::span("alert.send"));
    });
    assert!(message.contains("found 2 among 2 captured spans"), "{message}");
}

#[test]
fn each_field_reports_its_own_mismatch() {
    let capture = sample();
    let cases: Vec<(expect::SpanExpectation, &str)> = vec![
        (
            expect::span("alert.send").kind(SpanKind::Client),
            "FAIL kind Client\n         actual: Internal",
        ),
        (expect::span("alert.send").unset(), "FAIL status unset\n         actual: ok"),
        (
            expect::span("alert.deliver").error_containing("status 500"),
            "actual: error \"webhook rejected the alert with status 403\"",
        ),
        (
            expect::span("alert.deliver").exception("IoError"),
            "FAIL exception event exception.type containing \"IoError\"",
        ),
        (
            expect::span("alert.send").attr_contains(CHANNEL, "alerts"),
            "FAIL attribute alert.channel containing \"alerts\"",
        ),
        (
            expect::span("alert.send").attr_matches(CHANNEL, "^ops$"),
            "FAIL attribute alert.channel matching /^ops$/",
        ),
        (
            expect::span("alert.send").attr_satisfies(
                ATTEMPTS,
                "more than five",
                |v| matches!(v, Value::I64(n) if *n > 5),
            ),
            "FAIL attribute alert.attempts satisfying \"more than five\"\n         actual: 2",
        ),
        (
            expect::span("alert.send").has_attr("alert.severity"),
            "FAIL attribute alert.severity present\n         actual: absent",
        ),
        (
            expect::span("alert.send").no_attr(CHANNEL),
            "FAIL attribute alert.channel absent\n         actual: \"#ops\"",
        ),
        (
            expect::span("alert.send").attr(ATTEMPTS, "2"),
            "FAIL attribute alert.attempts = \"2\"\n         actual: 2",
        ),
        (
            expect::span("alert.send").exact_attrs().attr(CHANNEL, "#ops"),
            "FAIL no attribute beyond those expected",
        ),
        (
            expect::span("alert.send").event(expect::event("retry").attr("attempt", 2_i64)),
            "FAIL event \"retry\" attempt: = 2",
        ),
        (
            expect::span("alert.send").no_event("retry"),
            "FAIL no event \"retry\"\n         actual: 1 such events",
        ),
        (
            expect::span("alert.deliver").root(),
            "FAIL parent: none (a root of the capture)\n         actual: \"alert.send\" with id",
        ),
        (
            expect::span("alert.send").parent("alert.deliver"),
            "FAIL parent: \"alert.deliver\"\n         actual: root (parent id",
        ),
        (
            expect::span("alert.send").scope("floe.other"),
            "FAIL scope \"floe.other\"\n         actual: \"floe.test.kit\"",
        ),
        (expect::span("alert.send").without_text("#ops"), "FAIL without the planted text"),
    ];
    for (expectation, expected) in cases {
        let message = failure_message(|| {
            capture.assert_one(expectation);
        });
        assert!(message.contains(expected), "missing {expected:?} in:\n{message}");
    }
}

#[test]
fn exact_attrs_passes_when_nothing_else_was_recorded() {
    let capture = Capture::start();
    span("plain.op", vec![KeyValue::new(CHANNEL, "#ops")], vec![], Status::Ok);
    capture.assert_one(expect::span("plain.op").attr(CHANNEL, "#ops").exact_attrs());
}

#[test]
fn a_repeated_attribute_is_read_as_its_last_value() {
    let capture = Capture::start();
    span(
        "plain.op",
        vec![KeyValue::new(CHANNEL, "#first"), KeyValue::new(CHANNEL, "#last")],
        vec![],
        Status::Unset,
    );
    capture.assert_one(expect::span("plain.op").attr(CHANNEL, "#last").unset());
}

#[test]
fn assert_count_some_and_none() {
    let capture = sample();
    capture.assert_count(expect::span("alert.deliver"), 1);
    capture.assert_some(expect::span("alert.send"));
    capture.assert_none(expect::span("alert.validate_config"));
    let message = failure_message(|| {
        capture.assert_count(expect::span("alert.send"), 3);
    });
    assert!(message.contains("expected 3 spans matching:"), "{message}");
    let message = failure_message(|| capture.assert_none(expect::span("alert.send")));
    assert!(
        message.contains("expected no span matching:\nspan \"alert.send\"\nfound 1"),
        "{message}"
    );
    let message = failure_message(|| {
        capture.assert_some(expect::span("alert.validate_config"));
    });
    assert!(message.contains("expected at least one span matching:"), "{message}");
}

#[test]
fn assert_exactly_fails_on_a_missing_or_an_extra_span() {
    let capture = sample();
    capture.assert_exactly([expect::span("alert.send"), expect::span("alert.deliver")]);
    let message = failure_message(|| capture.assert_exactly([expect::span("alert.send")]));
    assert!(message.contains("expected exactly 1 spans [\"alert.send\"], captured 2"), "{message}");
    let message = failure_message(|| {
        capture.assert_exactly([
            expect::span("alert.send"),
            expect::span("alert.deliver"),
            expect::span("x.y"),
        ]);
    });
    assert!(message.contains("expected a span matching:\nspan \"x.y\""), "{message}");
}

#[test]
fn assert_tree_checks_shape_in_order_or_any_order() {
    let capture = Capture::start();
    let root = DomainSpan::start(TRACER, DemoOp::Send);
    {
        let _attached = root.context().clone().attach();
        DomainSpan::start(TRACER, DemoOp::Validate).succeed();
        DomainSpan::start(TRACER, DemoOp::Deliver)
            .fail_soft("rejected", SanitizedMessage::from_static("peer said no"));
    }
    root.succeed();
    let in_order = expect::tree(expect::span("alert.send").root())
        .child(expect::tree(expect::span("alert.validate_config").ok()))
        .child(expect::tree(expect::span("alert.deliver").error()))
        .in_order()
        .exact();
    capture.assert_tree(in_order);
    let any_order = expect::tree(expect::span("alert.send"))
        .child(expect::tree(expect::span("alert.deliver")))
        .child(expect::tree(expect::span("alert.validate_config")));
    capture.assert_tree(any_order);

    let reversed = expect::tree(expect::span("alert.send"))
        .child(expect::tree(expect::span("alert.deliver")))
        .child(expect::tree(expect::span("alert.validate_config")))
        .in_order();
    let message = failure_message(|| capture.assert_tree(reversed));
    assert!(
        message.contains(
            "expected a span tree:\n  span \"alert.send\"\n    children (in this order):"
        ),
        "{message}"
    );
    assert!(message.contains("captured tree:\n#1 alert.send"), "{message}");
    let missing = expect::tree(expect::span("alert.send"))
        .child(expect::tree(expect::span("alert.validate_config")))
        .exact();
    let message = failure_message(|| capture.assert_tree(missing));
    assert!(message.contains("in any order, and no others"), "{message}");
}

#[test]
fn a_failing_assertion_saves_the_trace_as_otlp_json() {
    let capture = sample();
    let message = failure_message(|| {
        capture.assert_one(expect::span("missing.span"));
    });
    let path = message
        .lines()
        .find_map(|l| l.strip_prefix("trace saved as OTLP JSON: "))
        .expect("path in message");
    // one directory per test binary (its file stem), one file per test
    let stem = std::env::current_exe().unwrap().file_stem().unwrap().to_string_lossy().into_owned();
    assert!(
        path.ends_with(&format!(
            "floe-traces/{stem}/assertions__a_failing_assertion_saves_the_trace_as_otlp_json.json"
        )),
        "{path}"
    );
    let json = std::fs::read_to_string(path).unwrap();
    let request: opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest =
        serde_json::from_str(&json).unwrap();
    let mut names: Vec<String> = request
        .resource_spans
        .iter()
        .flat_map(|r| &r.scope_spans)
        .flat_map(|s| &s.spans)
        .map(|s| s.name.clone())
        .collect();
    names.sort();
    assert_eq!(names, ["alert.deliver", "alert.send"]);
    let trace_id = request.resource_spans[0].scope_spans[0].spans[0].trace_id.clone();
    assert_eq!(trace_id, capture.trace_id().to_bytes().to_vec());
}
