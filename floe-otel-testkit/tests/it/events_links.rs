//! Events in order, exactly and counted; links to captured spans and to remote contexts;
//! parents by identity; whole-trace matches; `assert_exactly` pairing distinct spans.

use floe_otel_testkit::{Capture, expect};
use floe_telemetry::TracerFactory;
use opentelemetry::trace::{
    Link, Span as _, SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState,
    Tracer as _,
};
use opentelemetry::{Context, KeyValue, Value};

use crate::support::{TRACER, failure_message};

fn remote() -> SpanContext {
    SpanContext::new(
        TraceId::from(0x00f0_0d00_u128),
        SpanId::from(0x0bad_u64),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    )
}

/// `job.run` with events started, retry(1), retry(2), finished.
fn job() -> Capture {
    let capture = Capture::start();
    let mut span = TracerFactory::global().tracer(TRACER).start("job.run");
    span.add_event("started", vec![KeyValue::new("queue", "orders-eu")]);
    span.add_event("retry", vec![KeyValue::new("attempt", 1_i64)]);
    span.add_event("retry", vec![KeyValue::new("attempt", 2_i64)]);
    span.add_event("finished", vec![]);
    span.end();
    capture
}

#[test]
fn events_in_order_exactly_and_counted() {
    let capture = job();
    capture.assert_one(
        expect::span("job.run")
            .events_in_order([expect::event("started"), expect::event("finished")])
            .events_exactly([
                expect::event("started"),
                expect::event("retry").attr("attempt", 1_i64),
                expect::event("retry").attr("attempt", 2_i64),
                expect::event("finished"),
            ])
            .event_count(expect::event("retry"), 2)
            .event_count(expect::event("retry").attr("attempt", 2_i64), 1)
            .event_count(expect::event("cancelled"), 0),
    );
    let swapped = failure_message(|| {
        capture.assert_one(
            expect::span("job.run")
                .events_in_order([expect::event("finished"), expect::event("started")]),
        );
    });
    assert!(
        swapped.contains(
            "FAIL events in this order: \"finished\", \"started\"\n         actual: events: [\"started\", \"retry\", \"retry\", \"finished\"]"
        ),
        "{swapped}"
    );
    let missing_one = failure_message(|| {
        capture.assert_one(expect::span("job.run").events_exactly([
            expect::event("started"),
            expect::event("retry"),
            expect::event("finished"),
        ]));
    });
    assert!(missing_one.contains("FAIL events exactly: \"started\", \"retry\", \"finished\""));
    let counted = failure_message(|| {
        capture.assert_one(expect::span("job.run").event_count(expect::event("retry"), 3));
    });
    assert!(
        counted.contains("FAIL 3 events \"retry\"\n         actual: 2 such events"),
        "{counted}"
    );
}

#[test]
fn event_attributes_match_by_regex_predicate_and_absence() {
    let capture = job();
    capture.assert_one(
        expect::span("job.run")
            .event(expect::event("started").attr_matches("queue", "^orders-[a-z]{2}$"))
            .event(expect::event("retry").attr_satisfies(
                "attempt",
                "a later attempt",
                |v| matches!(v, Value::I64(n) if *n > 1),
            ))
            .event(expect::event("finished").no_attr("error.type")),
    );
    for (event, expected) in [
        (
            expect::event("started").attr_matches("queue", "^orders-[a-z]{3}$"),
            "FAIL event \"started\" queue: matching /^orders-[a-z]{3}$/",
        ),
        (
            expect::event("retry")
                .attr_satisfies("attempt", "a third attempt", |v| matches!(v, Value::I64(3))),
            "FAIL event \"retry\" attempt: satisfying \"a third attempt\"\n         actual: attempt = 1; attempt = 2",
        ),
        (
            expect::event("started").no_attr("queue"),
            "FAIL event \"started\" queue: absent\n         actual: queue = \"orders-eu\"",
        ),
    ] {
        let message = failure_message(|| {
            capture.assert_one(expect::span("job.run").event(event));
        });
        assert!(message.contains(expected), "missing {expected:?} in:\n{message}");
    }
}

#[test]
fn links_to_captured_spans_and_to_remote_contexts() {
    let capture = Capture::start();
    let tracer = TracerFactory::global().tracer(TRACER);
    let mut publish = tracer.start("queue.publish");
    let producer = publish.span_context().clone();
    publish.end();
    tracer
        .span_builder("queue.process")
        .with_links(vec![
            Link::new(producer, vec![KeyValue::new("messaging.batch", 4_i64)], 0),
            Link::with_context(remote()),
        ])
        .start(&tracer)
        .end();
    let published = capture.assert_one(expect::span("queue.publish"));
    capture.assert_one(
        expect::span("queue.process")
            .link(expect::link_to("queue.publish").attr("messaging.batch", 4_i64))
            .link(expect::link_to_span(&published))
            .link(expect::link_to_context(&remote()))
            .link_count(2),
    );
    capture.assert_one(expect::span("queue.publish").link_count(0));
    for (expectation, expected) in [
        (
            expect::span("queue.process").link(expect::link_to("queue.receive")),
            "FAIL link to a span named \"queue.receive\"\n         actual: links: [\"queue.publish\" {messaging.batch = 4}, context 00000000000000000000000000f00d00/0000000000000bad]",
        ),
        (
            expect::span("queue.process")
                .link(expect::link_to("queue.publish").attr("messaging.batch", 5_i64)),
            "FAIL link to a span named \"queue.publish\" messaging.batch: = 5",
        ),
        (
            expect::span("queue.process").link(expect::link_to_context(&SpanContext::new(
                remote().trace_id(),
                SpanId::from(0x0bae_u64),
                TraceFlags::SAMPLED,
                true,
                TraceState::default(),
            ))),
            "FAIL link to context 00000000000000000000000000f00d00/0000000000000bae",
        ),
        (expect::span("queue.process").link_count(3), "FAIL 3 links"),
    ] {
        let message = failure_message(|| {
            capture.assert_one(expectation);
        });
        assert!(message.contains(expected), "missing {expected:?} in:\n{message}");
    }
}

#[test]
fn parents_by_identity_and_remote_parents() {
    let capture = Capture::start();
    let tracer = TracerFactory::global().tracer(TRACER);
    tracer.in_span("batch", |_| tracer.in_span("item", |_| {}));
    tracer.in_span("batch", |_| {});
    // a server span whose parent came over the wire (a `traceparent` of this trace)
    let incoming = SpanContext::new(
        capture.trace_id(),
        SpanId::from(0x0bad_u64),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    );
    let remote_parent = Context::new().with_remote_span_context(incoming.clone());
    tracer.start_with_context("server.handle", &remote_parent).end();

    let batches = capture.assert_count(expect::span("batch"), 2);
    let spans = capture.spans();
    let (full, empty) = if spans.children(&batches[0]).is_empty() {
        (&batches[1], &batches[0])
    } else {
        (&batches[0], &batches[1])
    };
    capture.assert_one(expect::span("item").child_of(full).parent("batch"));
    capture.assert_tree(
        expect::tree(expect::span("batch").root())
            .child(expect::tree(expect::span("item").child_of(full))),
    );
    capture.assert_one(expect::span("server.handle").parent_context(&incoming).root());
    let message = failure_message(|| {
        capture.assert_one(expect::span("item").child_of(empty));
    });
    assert!(
        message.contains(&format!(
            "FAIL parent: the span \"batch\" with id {}",
            empty.span_context.span_id()
        )),
        "{message}"
    );
    let message = failure_message(|| {
        capture.assert_one(expect::span("item").parent_context(&incoming));
    });
    assert!(
        message.contains(&format!(
            "FAIL parent: the remote context {}/0000000000000bad",
            capture.trace_id()
        )),
        "{message}"
    );
}

#[test]
fn assert_exactly_pairs_each_expectation_with_a_distinct_span() {
    let capture = Capture::start();
    let tracer = TracerFactory::global().tracer(TRACER);
    tracer.in_span("a", |cx| cx.span().set_attribute(KeyValue::new("n", 1_i64)));
    tracer.in_span("b", |_| {});
    capture.assert_exactly([expect::span("b"), expect::span("a")]);
    let message = failure_message(|| {
        capture.assert_exactly([expect::span("a"), expect::span("a")]);
    });
    assert!(
        message.contains(
            "expected 2 spans, one per expectation, but only 1 could be paired with a distinct span: no span is left for expectation #2:\nspan \"a\""
        ),
        "{message}"
    );
    assert!(message.contains("the spans matching it are paired with expectations #1 (\"a\")"));

    // a greedy first fit would give the general expectation the only span the specific one
    // accepts, and fail
    let capture = Capture::start();
    tracer.in_span("a", |cx| cx.span().set_attribute(KeyValue::new("n", 1_i64)));
    tracer.in_span("a", |cx| cx.span().set_attribute(KeyValue::new("n", 2_i64)));
    capture.assert_exactly([expect::span("a"), expect::span("a").attr("n", 1_i64)]);
    capture.assert_exactly([expect::span("a").attr("n", 2_i64), expect::span("a")]);
}

#[test]
fn assert_trace_exactly_accounts_for_every_span() {
    let capture = Capture::start();
    let tracer = TracerFactory::global().tracer(TRACER);
    tracer.in_span("order.place", |_| {
        tracer.in_span("stock.reserve", |_| tracer.in_span("stock.lock", |_| {}));
        tracer.in_span("payment.charge", |_| {});
    });
    tracer.in_span("audit.write", |_| {});
    let whole = || {
        [
            expect::tree(expect::span("order.place"))
                .child(
                    expect::tree(expect::span("stock.reserve"))
                        .child(expect::tree(expect::span("stock.lock"))),
                )
                .child(expect::tree(expect::span("payment.charge"))),
            expect::tree(expect::span("audit.write")),
        ]
    };
    capture.assert_trace_exactly(whole());
    let [order, _] = whole();
    let message = failure_message(|| capture.assert_trace_exactly([order]));
    assert!(
        message.contains("the capture has 2 root span(s): [\"order.place\", \"audit.write\"]"),
        "{message}"
    );
    let missing_grandchild = expect::tree(expect::span("order.place"))
        .child(expect::tree(expect::span("stock.reserve")))
        .child(expect::tree(expect::span("payment.charge")));
    let message = failure_message(|| {
        capture
            .assert_trace_exactly([missing_grandchild, expect::tree(expect::span("audit.write"))]);
    });
    assert!(message.contains("expected the whole trace to be exactly (every level exact)"));
    // the same shape passes as a (non-exact) tree
    capture.assert_tree(
        expect::tree(expect::span("order.place"))
            .child(expect::tree(expect::span("stock.reserve")))
            .child(expect::tree(expect::span("payment.charge"))),
    );
}
