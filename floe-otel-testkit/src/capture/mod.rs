//! Span capture that stays correct under parallel tests.
//!
//! Every [`Capture`] owns a fresh trace id. Starting one attaches a context whose
//! (remote, sampled) parent carries that id; every span created in that context, or in
//! work that carries it, belongs to the capture. The process-wide provider routes each
//! ended span to its owner by trace id, so parallel tests never see each other's spans.

mod asserts;
pub(crate) mod bridge;
mod coverage;
mod health;
pub(crate) mod router;

use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};

use opentelemetry::trace::{FutureExt as _, TraceId, WithContext};
use opentelemetry::{Context, ContextGuard};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{IdGenerator as _, RandomIdGenerator};
use tracing::Level;

pub use router::{Orphan, OrphanReason};

use crate::CapturedSpans;
use crate::spans::CaptureState;

/// The namespace every capture puts in its `FloeSpanAttributes` (feature `floe`).
#[cfg(feature = "floe")]
pub const TEST_NAMESPACE: &str = "floe-test";

/// One test's spans, `tracing` events and (feature `metrics`) metrics.
///
/// The first capture of a test binary makes the testkit's routing provider the
/// `opentelemetry::global` tracer provider, floe's `TracerFactory` provider and the
/// provider behind the global `tracing` subscriber, so spans from every entry point are
/// captured without set-up. Each assertion first checks that this is still so, and fails
/// saying what broke it (a provider installed later, a foreign `tracing` subscriber).
///
/// # Examples
/// ```
/// use floe_otel_testkit::{Capture, expect};
/// use opentelemetry::trace::{Span as _, Tracer as _};
///
/// let capture = Capture::start();
/// opentelemetry::global::tracer("my-lib").start("cart.add").end();
/// capture.assert_one(expect::span("cart.add").scope("my-lib").unset());
/// ```
#[derive(Debug)]
pub struct Capture {
    trace_id: TraceId,
    bucket: Arc<router::Bucket>,
    context: Context,
    event_level: Level,
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
        router::ensure_provider();
        bridge::ensure_installed();
        let ids = RandomIdGenerator::default();
        let trace_id = ids.new_trace_id();
        let bucket = router::ROUTER.register(trace_id);
        let context = router::synthetic_parent(trace_id, ids.new_span_id());
        #[cfg(feature = "floe")]
        let context = floe_telemetry::FloeSpanAttributes::new(TEST_NAMESPACE)
            .with_product("testkit", "0.0.0")
            .in_context(&context);
        Self { trace_id, bucket, context, event_level: Level::INFO, guard: None }
    }

    /// Shows `tracing` events from `level` up in failure output (default INFO: DEBUG and
    /// TRACE events of dependencies would bury the message). The secret-leak checks read
    /// events of every level whatever this says.
    #[must_use]
    pub fn show_events_from(mut self, level: Level) -> Self {
        self.event_level = level;
        self
    }

    /// Declares that the test expects this capture to stay empty: the absence checks
    /// ([`assert_none`](Self::assert_none), [`assert_nothing_escaped`](Self::assert_nothing_escaped),
    /// [`assert_no_secret`](Self::assert_no_secret),
    /// [`assert_secret_nowhere`](Self::assert_secret_nowhere),
    /// and `assert_conforms` with the `floe` feature) then pass on an empty capture, and
    /// fail if it holds any span. Without it they refuse an empty capture, which would let
    /// a test that never ran the operation pass.
    ///
    /// # Examples
    /// ```
    /// let capture = floe_otel_testkit::Capture::start();
    /// capture.expect_no_spans();
    /// // ... run code that must not trace ...
    /// capture.assert_nothing_escaped();
    /// ```
    pub fn expect_no_spans(&self) -> &Self {
        self.bucket.expect_empty.store(true, Ordering::Relaxed);
        self
    }

    #[cfg(feature = "metrics")]
    pub(crate) fn bucket(&self) -> &Arc<router::Bucket> {
        &self.bucket
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

    /// The spans ended so far, in the order they ended, with what the assertions need to
    /// know about the capture (whether every entry point still routes to it, whether it
    /// was declared empty, the event level of failure output).
    pub fn spans(&self) -> CapturedSpans {
        let spans = self.bucket.spans.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let logs = self.logs();
        CapturedSpans::new(spans, logs, router::ROUTER.resource()).with_state(CaptureState {
            problems: health::problems(),
            expect_empty: self.bucket.expect_empty.load(Ordering::Relaxed),
            event_level: self.event_level,
        })
    }

    /// The `tracing` events recorded while this capture's trace was current, every level,
    /// one line each: `LEVEL target: message field=value ...`.
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
    /// When a span is still open or escaped, naming them; when the capture holds no span
    /// and [`expect_no_spans`](Self::expect_no_spans) was not declared.
    ///
    /// # Examples
    /// ```should_panic
    /// use floe_otel_testkit::Capture;
    /// use opentelemetry::trace::Tracer as _;
    ///
    /// let capture = Capture::start();
    /// let tracer = opentelemetry::global::tracer("my-lib");
    /// tracer.in_span("order.place", |_| {});
    /// let _open = tracer.start("order.ship");
    /// // Fails with: spans escaped the capture: 2 started, 1 ended; still open: ["order.ship"]
    /// capture.assert_nothing_escaped();
    /// ```
    #[track_caller]
    pub fn assert_nothing_escaped(&self) {
        let spans = self.spans();
        spans.precheck("assert_nothing_escaped", false);
        let started = self.bucket.started.load(Ordering::Relaxed);
        let ended = self.bucket.ended.load(Ordering::Relaxed);
        let escaped = self.bucket.escaped.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if started == 0 && escaped.is_empty() {
            // nothing started, in the capture or beside it: the empty-capture rule
            spans.precheck("assert_nothing_escaped", true);
        }
        let mut open: Vec<String> = self
            .bucket
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(_, name)| name.to_string())
            .collect();
        open.sort();
        if open.is_empty() && escaped.is_empty() {
            return;
        }
        let mut message = format!("spans escaped the capture: {started} started, {ended} ended");
        if !open.is_empty() {
            let _ = write!(message, "; still open: {open:?}");
        }
        if !escaped.is_empty() {
            let _ = write!(message, "; started outside its trace: {escaped:?}");
        }
        spans.fail_plain(&message);
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        router::pop_active(self.trace_id);
        router::ROUTER.retire(self.trace_id);
        coverage::record(&self.bucket);
        drop(self.guard.take());
    }
}

/// Installs the testkit's providers now: as the `opentelemetry::global` tracer (and, with
/// the `metrics` feature, meter) provider, in floe's `TracerFactory`, and behind the global
/// `tracing` subscriber. The first [`Capture`] does this by itself; call it first only where
/// code caches a tracer or an instrument from `opentelemetry::global` at its first use (in
/// a `static`, say) and that first use may come before any capture: what it cached before
/// the install is the no-op one the global provider hands out by default, and records
/// nothing, ever.
pub fn install() {
    router::ensure_provider();
    bridge::ensure_installed();
}

/// Spans that ended outside every capture since the process started: how many, and the
/// most recent ones with the reason.
pub fn orphans() -> (usize, Vec<Orphan>) {
    router::ROUTER.orphan_report()
}
