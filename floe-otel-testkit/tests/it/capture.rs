//! Capture isolation: threads, multi-thread runtimes, `tracing` spans, escapes and orphans.

use floe_otel_testkit::{Capture, OrphanReason, expect, orphans};
use floe_telemetry::{DomainSpan, TracerFactory, attr};
use opentelemetry::trace::{FutureExt as _, Span as _, TraceContextExt as _, Tracer as _};
use opentelemetry::{Context, KeyValue};

use crate::support::{DemoOp, TRACER};

#[test]
fn spans_on_the_test_thread_are_captured_as_roots() {
    let capture = Capture::start();
    DomainSpan::start_with(TRACER, DemoOp::Send, [KeyValue::new(attr::FLOE_MODE, "test")])
        .succeed();
    let span = capture.assert_one(expect::span("alert.send").root().ok().scope(TRACER));
    assert_eq!(span.span_context.trace_id(), capture.trace_id());
    capture.assert_nothing_escaped();
}

#[cfg(feature = "floe")]
#[test]
fn with_floe_support_a_capture_gives_its_spans_floe_attributes() {
    let capture = Capture::start();
    DomainSpan::start(TRACER, DemoOp::Send).succeed();
    capture.assert_one(
        expect::span("alert.send")
            .floe_attributes()
            .attr(attr::FLOE_NAMESPACE, floe_otel_testkit::TEST_NAMESPACE),
    );
}

#[cfg(not(feature = "floe"))]
#[test]
fn without_floe_support_a_capture_adds_no_floe_attributes() {
    let capture = Capture::start();
    DomainSpan::start(TRACER, DemoOp::Send).succeed();
    // floe's span layer falls back to its process default: the capture's context adds
    // nothing of floe's
    capture.assert_one(expect::span("alert.send").attr(attr::FLOE_NAMESPACE, "default"));
}

#[test]
fn nested_domain_spans_keep_their_parent() {
    let capture = Capture::start();
    let outer = DomainSpan::start(TRACER, DemoOp::Send);
    {
        let _inside = outer.context().clone().attach();
        DomainSpan::start(TRACER, DemoOp::Deliver).succeed();
    }
    outer.succeed();
    capture.assert_one(expect::span("alert.deliver").parent("alert.send"));
    capture.assert_one(expect::span("alert.send").root());
}

#[test]
fn threads_that_attach_the_capture_context_are_captured() {
    let capture = Capture::start();
    let cx = capture.context();
    std::thread::spawn(move || {
        let _attached = cx.attach();
        DomainSpan::start(TRACER, DemoOp::Deliver).succeed();
    })
    .join()
    .unwrap();
    capture.assert_one(expect::span("alert.deliver").root());
}

#[test]
fn tasks_on_a_multi_thread_runtime_are_captured_when_bound() {
    let capture = Capture::start();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                tokio::spawn(capture.bind(async {
                    tokio::task::yield_now().await;
                    DomainSpan::start(TRACER, DemoOp::Deliver).succeed();
                }))
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
    capture.assert_count(expect::span("alert.deliver").root().ok(), 8);
    capture.assert_nothing_escaped();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_test_body_keeps_the_capture_current_across_awaits() {
    let capture = Capture::start();
    let work = async {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        DomainSpan::start(TRACER, DemoOp::Validate).succeed();
    };
    work.await;
    capture.assert_one(expect::span("alert.validate_config").root());
}

#[test]
fn tracing_spans_and_events_are_captured_through_the_bridge() {
    let capture = Capture::start();
    {
        let span = tracing::info_span!("bridge", otel.name = "ingestion.run", rows = 5_i64);
        let _entered = span.enter();
        tracing::warn!(pipeline = "orders", "load retried");
    }
    capture.assert_one(expect::span("ingestion.run").root().attr("rows", 5_i64));
    let logs = capture.logs();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert!(
        logs[0].starts_with("WARN ")
            && logs[0].contains("load retried")
            && logs[0].contains("pipeline=orders"),
        "{logs:?}"
    );
}

#[test]
fn a_span_that_drops_the_capture_context_is_reported_as_escaped() {
    let capture = Capture::start();
    let tracer = TracerFactory::global().tracer(TRACER);
    // Starting from an empty context is what code that loses its context does.
    let mut lost = tracer.start_with_context("lost.root", &Context::new());
    lost.end();
    capture.expect_no_spans();
    capture.assert_none(expect::span("lost.root"));
    let message = crate::support::failure_message(|| capture.assert_nothing_escaped());
    assert!(message.contains("started outside its trace: [\"lost.root\"]"), "{message}");
    let (_, recent) = orphans();
    assert!(recent.iter().any(|o| o.name == "lost.root" && o.reason == OrphanReason::UnknownTrace));
}

#[test]
fn a_span_still_open_is_reported_and_ends_as_an_orphan_after_the_capture() {
    let capture = Capture::start();
    let tracer = TracerFactory::global().tracer(TRACER);
    let cx = Context::current_with_span(tracer.start("late.span"));
    let message = crate::support::failure_message(|| capture.assert_nothing_escaped());
    assert!(message.contains("1 started, 0 ended; still open: [\"late.span\"]"), "{message}");
    let trace_id = capture.trace_id();
    drop(capture);
    cx.span().end();
    let (_, recent) = orphans();
    assert!(
        recent
            .iter()
            .any(|o| o.trace_id == trace_id && o.reason == OrphanReason::EndedAfterCapture),
        "{recent:?}"
    );
}

#[test]
fn a_detached_capture_sees_only_work_run_in_its_scope() {
    let capture = Capture::detached();
    DomainSpan::start(TRACER, DemoOp::Send).succeed();
    capture.in_scope(|| DomainSpan::start(TRACER, DemoOp::Validate).succeed());
    futures_lite_block_on(
        async { DomainSpan::start(TRACER, DemoOp::Deliver).succeed() }
            .with_context(capture.context()),
    );
    capture.assert_exactly([expect::span("alert.validate_config"), expect::span("alert.deliver")]);
}

/// A minimal executor for a future that never waits.
fn futures_lite_block_on<F: std::future::Future>(future: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    runtime.block_on(future)
}

#[test]
fn two_captures_on_one_thread_are_kept_apart() {
    let first = Capture::detached();
    let second = Capture::detached();
    first.in_scope(|| DomainSpan::start(TRACER, DemoOp::Send).succeed());
    second.in_scope(|| DomainSpan::start(TRACER, DemoOp::Validate).succeed());
    first.assert_exactly([expect::span("alert.send")]);
    second.assert_exactly([expect::span("alert.validate_config")]);
}
