//! Async functions: the span stays current across `.await` on both runtime flavours, ends
//! from the output, and ends as cancelled when the future is dropped.

use std::future::Future as _;
use std::task::{Context, Waker};

use floe_otel_testkit::{Capture, expect};
use floe_telemetry::attr;
use floe_telemetry::traced;
use opentelemetry::trace::SpanKind;

use super::{CatalogOp, PLANTED, TRACER_NAME, UNREACHABLE_DESCRIPTION, Unreachable, unreachable};

#[traced(op = CatalogOp::LoadTable)]
async fn load(found: bool) -> Result<u32, Unreachable> {
    tokio::task::yield_now().await;
    if found { Ok(7) } else { Err(unreachable()) }
}

/// Two child operations separated by awaits that may move the task between threads.
#[traced(op = CatalogOp::CommitTable)]
async fn commit(fail_second: bool) -> Result<u32, Unreachable> {
    let first = load(true).await?;
    tokio::task::yield_now().await;
    let second = load(!fail_second).await?;
    Ok(first + second)
}

#[traced(name = "work.pending")]
async fn never_completes() -> Result<(), Unreachable> {
    std::future::pending::<()>().await;
    Ok(())
}

#[traced(name = "work.async_panics")]
async fn panics_after_await() -> u32 {
    tokio::task::yield_now().await;
    panic!("async explosion with token={PLANTED}");
}

fn assert_commit_tree(capture: &Capture) {
    capture.assert_tree(
        expect::tree(expect::span("catalog.commit_table").root().ok().kind(SpanKind::Client))
            .child(expect::tree(expect::span("catalog.load_table").ok()))
            .child(expect::tree(expect::span("catalog.load_table").ok()))
            .exact(),
    );
}

#[tokio::test(flavor = "current_thread")]
async fn the_span_stays_current_across_awaits_on_a_current_thread_runtime() {
    let capture = Capture::start();
    assert_eq!(commit(false).await.unwrap(), 14);
    assert_commit_tree(&capture);
    capture.assert_nothing_escaped();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_span_stays_current_across_awaits_on_a_multi_thread_runtime() {
    let capture = Capture::start();
    let task = tokio::spawn(capture.bind(commit(false)));
    assert_eq!(task.await.unwrap().unwrap(), 14);
    assert_commit_tree(&capture);
    capture.assert_nothing_escaped();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_error_after_a_question_mark_is_recorded_sanitized() {
    let capture = Capture::start();
    let err = tokio::spawn(capture.bind(commit(true))).await.unwrap().unwrap_err();
    assert!(err.url.contains(PLANTED));
    capture.assert_tree(
        expect::tree(
            expect::span("catalog.commit_table").error_description(UNREACHABLE_DESCRIPTION),
        )
        .child(expect::tree(expect::span("catalog.load_table").ok()))
        .child(expect::tree(
            expect::span("catalog.load_table")
                .error_description(UNREACHABLE_DESCRIPTION)
                .exception("Unreachable"),
        ))
        .exact(),
    );
    capture.assert_no_secret(PLANTED);
}

#[test]
fn a_dropped_future_ends_its_span_as_cancelled() {
    let capture = Capture::start();
    let mut future = Box::pin(never_completes());
    let mut task = Context::from_waker(Waker::noop());
    assert!(future.as_mut().poll(&mut task).is_pending());
    assert!(future.as_mut().poll(&mut task).is_pending());
    drop(future);
    capture.assert_one(
        expect::span("work.pending")
            .root()
            .unset()
            .attr(attr::FLOE_CANCELLED, true)
            .no_event(attr::EXCEPTION_EVENT),
    );
    capture.assert_nothing_escaped();
}

#[test]
fn a_future_never_polled_starts_no_span() {
    let capture = Capture::start();
    drop(never_completes());
    assert!(capture.spans().is_empty(), "{}", capture.spans().render());
}

#[tokio::test(flavor = "current_thread")]
async fn a_panic_inside_an_async_fn_is_recorded_sanitized_and_resumed() {
    let capture = Capture::start();
    let outcome = tokio::spawn(capture.bind(panics_after_await())).await;
    assert!(outcome.unwrap_err().is_panic());
    capture.assert_one(
        expect::span("work.async_panics")
            .error_description("operation panicked: async explosion with token=<REDACTED>")
            .exception("panic"),
    );
    capture.assert_no_secret(PLANTED);
}

/// An async trait with a traced implementation.
trait Store {
    async fn put(&mut self, key: &str) -> Result<usize, Unreachable>;
}

#[derive(Debug, Default)]
struct MemoryStore {
    keys: Vec<String>,
}

impl Store for MemoryStore {
    #[traced(op = CatalogOp::CreateTable)]
    async fn put(&mut self, key: &str) -> Result<usize, Unreachable> {
        tokio::task::yield_now().await;
        if key.is_empty() {
            return Err(unreachable());
        }
        self.keys.push(key.to_owned());
        Ok(self.keys.len())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn async_trait_impl_methods_taking_mut_self_are_traced() {
    let capture = Capture::start();
    let mut store = MemoryStore::default();
    assert_eq!(store.put("a").await.unwrap(), 1);
    assert!(store.put("").await.is_err());
    capture.assert_one(expect::span("catalog.create_table").ok().root());
    capture.assert_one(
        expect::span("catalog.create_table").root().error_description(UNREACHABLE_DESCRIPTION),
    );
    capture.assert_no_secret(PLANTED);
}
