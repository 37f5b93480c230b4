//! Every entry point is captured without set-up: `opentelemetry::global`, floe's
//! `TracerFactory` and `tracing`, mixed in one trace; a subscriber set for one thread that
//! lacks the testkit's layer makes the next assertion say so.

use floe_otel_testkit::{Capture, expect};
use opentelemetry::KeyValue;
use opentelemetry::trace::{Span as _, SpanKind, TraceContextExt as _, Tracer as _};
use tracing::Instrument as _;
use tracing_subscriber::layer::SubscriberExt as _;

use crate::support::failure_message;

#[expect(clippy::disallowed_methods, reason = "the entry point an outside library uses")]
fn global_tracer() -> opentelemetry::global::BoxedTracer {
    opentelemetry::global::tracer("my-lib")
}

#[test]
fn spans_of_the_global_tracer_are_captured() {
    let capture = Capture::start();
    let mut span = global_tracer()
        .span_builder("cart.checkout")
        .with_kind(SpanKind::Client)
        .start(&global_tracer());
    span.set_attribute(KeyValue::new("cart.items", 3_i64));
    span.end();
    capture.assert_one(
        expect::span("cart.checkout")
            .scope("my-lib")
            .kind(SpanKind::Client)
            .attr("cart.items", 3_i64)
            .root(),
    );
}

#[test]
fn global_spans_inside_tracing_spans_are_their_children() {
    let capture = Capture::start();
    tracing::info_span!("checkout").in_scope(|| {
        global_tracer().in_span("payment.charge", |_| {});
        tracing::info!(amount = 12, "charged");
    });
    capture.assert_tree(
        expect::tree(expect::span("checkout").scope("tracing").root())
            .child(expect::tree(expect::span("payment.charge").scope("my-lib")))
            .exact(),
    );
    assert!(capture.logs().iter().any(|l| l.starts_with("INFO ") && l.contains("charged")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_spawned_inside_a_tracing_span_are_captured() {
    let capture = Capture::start();
    async {
        let tasks: Vec<_> = (0..4_i64)
            .map(|n| {
                tokio::spawn(
                    async move {
                        tokio::task::yield_now().await;
                        global_tracer().in_span("item.load", |cx| {
                            cx.span().set_attribute(KeyValue::new("item", n));
                        });
                    }
                    .in_current_span(),
                )
            })
            .collect();
        for task in tasks {
            task.await.expect("task");
        }
    }
    .instrument(tracing::info_span!("batch.load"))
    .await;
    capture.assert_count(expect::span("item.load").parent("batch.load"), 4);
    capture.assert_nothing_escaped();
}

#[test]
fn a_subscriber_set_for_this_thread_without_the_layer_fails_the_next_assertion() {
    let capture = Capture::start();
    global_tracer().in_span("cart.add", |_| {});
    let foreign = tracing_subscriber::registry();
    let message = tracing::subscriber::with_default(foreign, || {
        failure_message(|| {
            capture.assert_one(expect::span("cart.add"));
        })
    });
    assert!(
        message.contains("the `tracing` subscriber current on this thread is not the testkit's"),
        "{message}"
    );
    assert!(message.contains("floe_otel_testkit::tracing_layer()"), "{message}");
    capture.assert_one(expect::span("cart.add"));
}

#[test]
fn a_subscriber_that_composes_the_testkit_layer_keeps_tracing_captured() {
    let capture = Capture::start();
    let composed = tracing_subscriber::registry().with(floe_otel_testkit::tracing_layer());
    tracing::subscriber::with_default(composed, || {
        tracing::info_span!("composed.work").in_scope(|| tracing::warn!("inside"));
        capture.assert_one(expect::span("composed.work").scope("tracing"));
    });
    assert!(capture.logs().iter().any(|l| l.contains("inside")), "{:?}", capture.logs());
}
