//! Span capture that stays correct under parallel tests.
//!
//! Every [`Capture`] owns a fresh trace id. Starting one attaches a context whose
//! (remote, sampled) parent carries that id; every span created in that context, or in
//! work that carries it, belongs to the capture. The process-wide provider routes each
//! ended span to its owner by trace id, so parallel tests never see each other's spans.

mod bridge;
mod router;

use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};

use floe_telemetry::FloeSpanAttributes;
use opentelemetry::trace::{FutureExt as _, TraceId, WithContext};
use opentelemetry::{Context, ContextGuard};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{IdGenerator as _, RandomIdGenerator, SpanData};

pub use router::{Orphan, OrphanReason};

use crate::CapturedSpans;

/// The namespace every capture puts in its [`FloeSpanAttributes`].
pub const TEST_NAMESPACE: &str = "floe-test";

/// One test's spans.
///
/// # Examples
/// ```
/// use floe_otel_testkit::{Capture, expect};
/// use floe_telemetry::{DomainSpan, Operation};
///
/// #[derive(Clone, Copy)]
/// struct Work;
/// impl Operation for Work {
///     fn span_name(self) -> &'static str { "example.work" }
/// }
///
/// let capture = Capture::start();
/// DomainSpan::start("floe.example", Work).succeed();
/// capture.assert_one(expect::span("example.work").ok().scope("floe.example"));
/// ```
#[derive(Debug)]
pub struct Capture {
    trace_id: TraceId,
    bucket: Arc<router::Bucket>,
    context: Context,
    // Declared last: dropped after the bucket bookkeeping in `Drop`.
    guard: Option<ContextGuard>,
}

impl Capture {
    /// Starts a capture and makes its context current on this thread until it drops.
    pub fn start() -> Self {
        let mut capture = Self::detached();
        router::push_active(capture.trace_id, Arc::clone(&capture.bucket));
        capture.guard = Some(capture.context.clone().attach());
        capture
    }

    /// Starts a capture without attaching it: run work inside it with
    /// [`in_scope`](Self::in_scope), [`bind`](Self::bind) or [`context`](Self::context).
    pub fn detached() -> Self {
        router::ensure_installed();
        let ids = RandomIdGenerator::default();
        let trace_id = ids.new_trace_id();
        let bucket = router::ROUTER.register(trace_id);
        let context = FloeSpanAttributes::new(TEST_NAMESPACE)
            .with_product("testkit", "0.0.0")
            .in_context(&router::synthetic_parent(trace_id, ids.new_span_id()));
        Self { trace_id, bucket, context, guard: None }
    }

    /// The trace id every span of this capture carries.
    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }

    /// The capture's context: attach it on another thread, or give it to spawned work,
    /// so that work's spans are captured too.
    pub fn context(&self) -> Context {
        self.context.clone()
    }

    /// Runs `body` with the capture's context current.
    pub fn in_scope<T>(&self, body: impl FnOnce() -> T) -> T {
        let _guard = self.context.clone().attach();
        body()
    }

    /// Wraps a future so that every poll runs in the capture's context; use it for
    /// `tokio::spawn` on a multi-thread runtime.
    pub fn bind<F>(&self, future: F) -> WithContext<F> {
        future.with_context(self.context.clone())
    }

    /// The spans ended so far, in the order they ended.
    pub fn spans(&self) -> CapturedSpans {
        let spans = self.bucket.spans.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let logs = self.bucket.logs.lock().unwrap_or_else(PoisonError::into_inner).clone();
        CapturedSpans::new(spans, logs, router::ROUTER.resource())
    }

    /// The `tracing` events recorded while this capture's trace was current.
    pub fn logs(&self) -> Vec<String> {
        self.bucket.logs.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The resource of the capture provider.
    pub fn resource(&self) -> Resource {
        router::ROUTER.resource()
    }

    /// Asserts that every span started in this capture has ended, and that no root span
    /// was started on this thread outside the capture while it was attached (work that
    /// lost or replaced its context).
    ///
    /// # Panics
    /// When a span is still open or escaped; the message names the escaped spans.
    #[track_caller]
    pub fn assert_nothing_escaped(&self) {
        let started = self.bucket.started.load(Ordering::Relaxed);
        let ended = self.bucket.ended.load(Ordering::Relaxed);
        let escaped = self.bucket.escaped.lock().unwrap_or_else(PoisonError::into_inner).clone();
        assert!(
            started == ended && escaped.is_empty(),
            "spans escaped the capture: {} started, {} ended{}\n\ncaptured tree:\n{}",
            started,
            ended,
            if escaped.is_empty() {
                String::new()
            } else {
                format!("; started outside its trace: {escaped:?}")
            },
            crate::render::span_tree(&self.spans()),
        );
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        router::pop_active(self.trace_id);
        router::ROUTER.retire(self.trace_id);
        drop(self.guard.take());
    }
}

/// Spans that ended outside every capture since the process started: how many, and the
/// most recent ones with the reason.
pub fn orphans() -> (usize, Vec<Orphan>) {
    router::ROUTER.orphan_report()
}

/// The assertions of [`CapturedSpans`], on the spans ended so far.
impl Capture {
    /// See [`CapturedSpans::assert_one`].
    #[track_caller]
    pub fn assert_one(&self, expectation: crate::expect::SpanExpectation) -> SpanData {
        self.spans().assert_one(expectation)
    }

    /// See [`CapturedSpans::assert_count`].
    #[track_caller]
    pub fn assert_count(
        &self,
        expectation: crate::expect::SpanExpectation,
        count: usize,
    ) -> Vec<SpanData> {
        self.spans().assert_count(expectation, count)
    }

    /// See [`CapturedSpans::assert_some`].
    #[track_caller]
    pub fn assert_some(&self, expectation: crate::expect::SpanExpectation) -> SpanData {
        self.spans().assert_some(expectation)
    }

    /// See [`CapturedSpans::assert_none`].
    #[track_caller]
    pub fn assert_none(&self, expectation: crate::expect::SpanExpectation) {
        self.spans().assert_none(expectation);
    }

    /// See [`CapturedSpans::assert_exactly`].
    #[track_caller]
    pub fn assert_exactly(
        &self,
        expectations: impl IntoIterator<Item = crate::expect::SpanExpectation>,
    ) {
        self.spans().assert_exactly(expectations);
    }

    /// See [`CapturedSpans::assert_tree`].
    #[track_caller]
    pub fn assert_tree(&self, tree: crate::expect::TreeExpectation) {
        self.spans().assert_tree(tree);
    }

    /// See [`CapturedSpans::assert_no_secret`].
    #[track_caller]
    pub fn assert_no_secret(&self, secret: &str) {
        self.spans().assert_no_secret(secret);
    }

    /// See [`CapturedSpans::assert_secret_nowhere`].
    #[track_caller]
    pub fn assert_secret_nowhere(&self, secret: &str, texts: &[&str]) {
        self.spans().assert_secret_nowhere(secret, texts);
    }

    /// See [`CapturedSpans::assert_conforms`].
    #[track_caller]
    pub fn assert_conforms(&self) {
        self.spans().assert_conforms();
    }

    /// See [`CapturedSpans::assert_conforms_in`].
    #[track_caller]
    pub fn assert_conforms_in(&self, scope: &str) {
        self.spans().assert_conforms_in(scope);
    }

    /// See [`CapturedSpans::assert_redacted`].
    #[track_caller]
    pub fn assert_redacted(
        &self,
        expectation: crate::expect::SpanExpectation,
        key: impl Into<opentelemetry::Key>,
        secret: &str,
    ) {
        self.spans().assert_redacted(expectation, key, secret);
    }
}
