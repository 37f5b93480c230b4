//! Every status, attribute and event matcher passes on the right value and fails on the
//! nearest wrong one, naming the field and the actual value.

use floe_otel_testkit::Capture;
use floe_otel_testkit::expect::{self, SpanExpectation};
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry::{Array, KeyValue, Value};

use crate::support::{TRACER, failure_message, span, span_of_kind};

/// `s.ok` (client, ok, five attributes, two events), `s.unset`, and `s.error` with an
/// exception event.
fn sample() -> Capture {
    let capture = Capture::start();
    span_of_kind(
        "s.ok",
        SpanKind::Client,
        vec![
            KeyValue::new("count", 2_i64),
            KeyValue::new("ratio", 0.5),
            KeyValue::new("flag", true),
            KeyValue::new("name", "#ops"),
            KeyValue::new("list", Value::Array(Array::String(vec!["a".into(), "b".into()]))),
        ],
        vec![
            (
                "retry",
                vec![KeyValue::new("attempt", 1_i64), KeyValue::new("reason", "timeout 30s")],
            ),
            ("done", vec![]),
        ],
        Status::Ok,
    );
    span("s.unset", vec![], vec![], Status::Unset);
    span(
        "s.error",
        vec![],
        vec![(
            "exception",
            vec![
                KeyValue::new("exception.type", "my_lib::Rejected"),
                KeyValue::new("exception.message", "status 403 from peer"),
            ],
        )],
        Status::error("status 403 from peer"),
    );
    capture
}

#[track_caller]
fn passes(capture: &Capture, expectation: SpanExpectation) {
    capture.assert_one(expectation);
}

#[track_caller]
fn fails(capture: &Capture, expectation: SpanExpectation, expected: &str) {
    let message = failure_message(|| {
        capture.assert_one(expectation);
    });
    assert!(message.contains(expected), "missing {expected:?} in:\n{message}");
}

#[test]
fn status_matchers() {
    let c = sample();
    passes(&c, expect::span("s.ok").ok());
    fails(&c, expect::span("s.unset").ok(), "FAIL status ok\n         actual: unset");
    passes(&c, expect::span("s.unset").unset());
    fails(&c, expect::span("s.ok").unset(), "FAIL status unset\n         actual: ok");
    passes(&c, expect::span("s.error").error());
    fails(&c, expect::span("s.unset").error(), "FAIL status error\n         actual: unset");
    passes(&c, expect::span("s.error").error_containing("403"));
    fails(
        &c,
        expect::span("s.error").error_containing("404"),
        "FAIL status error with description containing \"404\"\n         actual: error \"status 403 from peer\"",
    );
    passes(&c, expect::span("s.error").error_description("status 403 from peer"));
    fails(
        &c,
        expect::span("s.error").error_description("status 403 from pee"),
        "FAIL status error with description equal to \"status 403 from pee\"",
    );
    passes(&c, expect::span("s.error").error_matching(r"^status 4\d\d "));
    fails(
        &c,
        expect::span("s.error").error_matching(r"^status 5\d\d "),
        "FAIL status error with description matching /^status 5\\d\\d /",
    );
    passes(&c, expect::span("s.error").exception("Rejected").exception_message_containing("403"));
    fails(
        &c,
        expect::span("s.error").exception("Rejection"),
        "FAIL exception event exception.type containing \"Rejection\"",
    );
    fails(
        &c,
        expect::span("s.error").exception_message_containing("404"),
        "FAIL exception event exception.message containing \"404\"\n         actual: exception.message = \"status 403 from peer\"",
    );
    fails(&c, expect::span("s.ok").exception("Rejected"), "actual: no exception event");
}

#[test]
fn attribute_matchers() {
    let c = sample();
    let ok = || expect::span("s.ok");
    passes(&c, ok().attr("count", 2_i64).attr("ratio", 0.5).attr("flag", true));
    fails(&c, ok().attr("count", 3_i64), "FAIL attribute count = 3\n         actual: 2");
    fails(&c, ok().attr("count", "2"), "FAIL attribute count = \"2\"\n         actual: 2");
    fails(&c, ok().attr("count", 2.0), "FAIL attribute count = 2.0\n         actual: 2");
    fails(&c, ok().attr("ratio", 0.51), "FAIL attribute ratio = 0.51\n         actual: 0.5");
    fails(&c, ok().attr("flag", false), "FAIL attribute flag = false\n         actual: true");
    passes(&c, ok().attr("list", Value::Array(Array::String(vec!["a".into(), "b".into()]))));
    fails(
        &c,
        ok().attr("list", Value::Array(Array::String(vec!["a".into()]))),
        "FAIL attribute list = [\"a\"]\n         actual: [\"a\", \"b\"]",
    );
    passes(&c, ok().attr_contains("name", "ops"));
    fails(&c, ok().attr_contains("name", "opz"), "FAIL attribute name containing \"opz\"");
    fails(&c, ok().attr_contains("count", "2"), "FAIL attribute count containing \"2\"");
    passes(&c, ok().attr_matches("name", "^#ops$"));
    fails(&c, ok().attr_matches("name", "^#op$"), "FAIL attribute name matching /^#op$/");
    passes(&c, ok().attr_satisfies("count", "even", |v| matches!(v, Value::I64(n) if n % 2 == 0)));
    fails(
        &c,
        ok().attr_satisfies("count", "odd", |v| matches!(v, Value::I64(n) if n % 2 == 1)),
        "FAIL attribute count satisfying \"odd\"\n         actual: 2",
    );
    passes(&c, ok().has_attr("count"));
    fails(&c, ok().has_attr("counts"), "FAIL attribute counts present\n         actual: absent");
    passes(&c, ok().no_attr("counts"));
    fails(&c, ok().no_attr("count"), "FAIL attribute count absent\n         actual: 2");
    let all_five = || {
        ok().has_attr("count").has_attr("ratio").has_attr("flag").has_attr("name").has_attr("list")
    };
    passes(&c, all_five().exact_attrs());
    fails(
        &c,
        ok().has_attr("count").has_attr("ratio").has_attr("flag").has_attr("name").exact_attrs(),
        "FAIL no attribute beyond those expected\n         actual: extra: [\"list\"]",
    );
    passes(&c, ok().kind(SpanKind::Client).scope(TRACER));
    fails(&c, ok().kind(SpanKind::Server), "FAIL kind Server\n         actual: Client");
    fails(
        &c,
        ok().scope("floe.test.ki"),
        "FAIL scope \"floe.test.ki\"\n         actual: \"floe.test.kit\"",
    );
}

#[test]
fn event_matchers() {
    let c = sample();
    let ok = || expect::span("s.ok");
    passes(&c, ok().event(expect::event("retry")));
    fails(
        &c,
        ok().event(expect::event("retries")),
        "FAIL event \"retries\"\n         actual: events: [\"retry\", \"done\"]",
    );
    passes(&c, ok().event(expect::event("retry").attr("attempt", 1_i64)));
    fails(
        &c,
        ok().event(expect::event("retry").attr("attempt", 2_i64)),
        "FAIL event \"retry\" attempt: = 2",
    );
    passes(&c, ok().event(expect::event("retry").attr_contains("reason", "30s")));
    fails(
        &c,
        ok().event(expect::event("retry").attr_contains("reason", "31s")),
        "FAIL event \"retry\" reason: containing \"31s\"",
    );
    passes(&c, ok().event(expect::event("retry").attr_matches("reason", r"^timeout \d+s$")));
    fails(
        &c,
        ok().event(expect::event("retry").attr_matches("reason", r"^timeout \d+ms$")),
        "FAIL event \"retry\" reason: matching /^timeout \\d+ms$/",
    );
    passes(
        &c,
        ok().event(
            expect::event("retry").attr_satisfies("attempt", "first", |v| *v == Value::I64(1)),
        ),
    );
    fails(
        &c,
        ok().event(
            expect::event("retry").attr_satisfies("attempt", "second", |v| *v == Value::I64(2)),
        ),
        "FAIL event \"retry\" attempt: satisfying \"second\"",
    );
    passes(&c, ok().event(expect::event("retry").has_attr("reason")));
    fails(
        &c,
        ok().event(expect::event("retry").has_attr("reasons")),
        "FAIL event \"retry\" reasons: present",
    );
    passes(&c, ok().event(expect::event("done").no_attr("reason")));
    fails(
        &c,
        ok().event(expect::event("retry").no_attr("reason")),
        "FAIL event \"retry\" reason: absent",
    );
    passes(&c, ok().no_event("retries"));
    fails(&c, ok().no_event("retry"), "FAIL no event \"retry\"\n         actual: 1 such events");
    passes(&c, ok().events_in_order([expect::event("retry"), expect::event("done")]));
    fails(
        &c,
        ok().events_in_order([expect::event("done"), expect::event("retry")]),
        "FAIL events in this order: \"done\", \"retry\"",
    );
    passes(&c, ok().events_exactly([expect::event("retry"), expect::event("done")]));
    fails(&c, ok().events_exactly([expect::event("retry")]), "FAIL events exactly: \"retry\"");
    passes(&c, ok().event_count(expect::event("retry"), 1));
    fails(
        &c,
        ok().event_count(expect::event("retry"), 2),
        "FAIL 2 events \"retry\"\n         actual: 1 such events",
    );
}

#[cfg(feature = "floe")]
#[test]
fn floe_attribute_matchers() {
    use floe_telemetry::{DomainSpan, attr};

    use crate::support::DemoOp;

    let c = Capture::start();
    let domain = DomainSpan::start(TRACER, DemoOp::Send);
    domain.set_attribute(KeyValue::new("floe.plugin", "alert_channel/demo"));
    domain.succeed();
    span("raw.op", vec![], vec![], Status::Ok);
    passes(&c, expect::span("alert.send").floe_attributes());
    fails(
        &c,
        expect::span("raw.op").floe_attributes(),
        "FAIL FloeSpanAttributes (floe.namespace)\n         actual: absent",
    );
    // exact_attrs admits the FloeSpanAttributes keys, not every floe.* key
    fails(
        &c,
        expect::span("alert.send").floe_attributes().exact_attrs(),
        "FAIL no attribute beyond those expected\n         actual: extra: [\"floe.plugin\"]",
    );
    passes(
        &c,
        expect::span("alert.send").floe_attributes().has_attr(attr::FLOE_PLUGIN).exact_attrs(),
    );
}
