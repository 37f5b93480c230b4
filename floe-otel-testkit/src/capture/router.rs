//! The process-wide capture provider: one SDK provider whose processor routes every ended
//! span to the capture that owns its trace id.
//!
//! Installed once per test binary, on first use, as the `opentelemetry::global` tracer
//! provider, as floe's `TracerFactory` provider and behind the `tracing` bridge. The
//! processor runs synchronously inside `Span::end`, so a span is in its bucket when `end`
//! returns: reading never races export.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError, RwLock};
use std::time::Duration;

use floe_telemetry::TracerFactory;
use opentelemetry::trace::{Link, SpanContext, SpanId, SpanKind, TraceContextExt as _, TraceId};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    IdGenerator as _, RandomIdGenerator, Sampler, SamplingResult, SdkTracerProvider, ShouldSample,
    Span, SpanData, SpanProcessor,
};

/// The service name of the capture provider's resource.
pub(crate) const SERVICE_NAME: &str = "floe-otel-testkit";

/// The spans and log lines of one capture, plus what it knows about spans still open.
#[derive(Debug, Default)]
pub(crate) struct Bucket {
    pub(crate) spans: Mutex<Vec<SpanData>>,
    pub(crate) logs: Mutex<Vec<String>>,
    pub(crate) started: AtomicUsize,
    pub(crate) ended: AtomicUsize,
    /// Spans started in the capture and not ended yet, with their names (a few at a
    /// time: the nesting depth, or the tasks in flight).
    pub(crate) open: Mutex<Vec<(SpanId, Cow<'static, str>)>>,
    /// Root spans started on the capture's thread outside its trace: work that lost (or
    /// replaced) the context.
    pub(crate) escaped: Mutex<Vec<String>>,
    /// The test declared that it expects no span (`Capture::expect_no_spans`).
    pub(crate) expect_empty: AtomicBool,
    /// The capture's metrics pipeline, built on first use.
    #[cfg(feature = "metrics")]
    pub(crate) metrics: OnceLock<crate::metrics::sink::Sink>,
}

/// A span whose trace belongs to no live capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Orphan {
    /// The span's name.
    pub name: String,
    /// Its trace id.
    pub trace_id: TraceId,
    /// Why it has no owner.
    pub reason: OrphanReason,
}

/// Why a span reached no capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrphanReason {
    /// Its trace was never a capture's: the work lost its context.
    UnknownTrace,
    /// Its capture was dropped before the span ended.
    EndedAfterCapture,
}

#[derive(Debug, Default)]
pub(crate) struct Router {
    buckets: RwLock<HashMap<TraceId, Arc<Bucket>>>,
    /// Traces of captures already dropped, to tell late spans from lost ones.
    retired: Mutex<Vec<TraceId>>,
    orphans: Mutex<OrphanLog>,
    resource: OnceLock<Resource>,
}

#[derive(Debug, Default)]
struct OrphanLog {
    total: usize,
    recent: Vec<Orphan>,
}

const RECENT_ORPHANS: usize = 64;
const RETIRED_TRACES: usize = 4096;

thread_local! {
    /// Captures attached on this thread, innermost last.
    static ACTIVE: RefCell<Vec<(TraceId, Arc<Bucket>)>> = const { RefCell::new(Vec::new()) };
    /// The name of the span being started on this thread, left by the sampler (which the
    /// SDK calls just before the processor's `on_start`, on the same thread).
    static STARTING: Cell<Option<(TraceId, String)>> = const { Cell::new(None) };
}

pub(crate) static ROUTER: LazyLock<Arc<Router>> = LazyLock::new(|| Arc::new(Router::default()));

static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// The name of the tracer behind the `tracing` bridge (the instrumentation scope of every
/// span that `tracing` made).
pub(crate) const TRACING_TRACER: &str = "tracing";

/// The capture provider, installed once as the `opentelemetry::global` tracer provider and
/// as floe's [`TracerFactory`] provider. The `tracing` bridge is installed separately
/// ([`super::bridge::ensure_installed`]), so a test binary can compose the testkit's layer
/// into a subscriber of its own before any capture starts.
pub(crate) fn ensure_provider() -> &'static SdkTracerProvider {
    PROVIDER.get_or_init(|| {
        let provider = SdkTracerProvider::builder()
            .with_sampler(NamingSampler)
            .with_resource(Resource::builder_empty().with_service_name(SERVICE_NAME).build())
            .with_span_processor(RoutingProcessor(Arc::clone(&ROUTER)))
            .build();
        TracerFactory::global().install(provider.clone());
        install_global(provider.clone());
        #[cfg(feature = "metrics")]
        crate::metrics::install_global();
        provider
    })
}

#[expect(
    clippy::disallowed_methods,
    reason = "the testkit's one process-wide install: every test of the binary shares this \
              provider, and its processor routes each span to its own capture by trace id"
)]
fn install_global(provider: SdkTracerProvider) {
    opentelemetry::global::set_tracer_provider(provider);
}

impl Router {
    pub(crate) fn register(&self, trace_id: TraceId) -> Arc<Bucket> {
        let bucket = Arc::new(Bucket::default());
        self.buckets
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(trace_id, Arc::clone(&bucket));
        bucket
    }

    /// Forgets a capture's trace; spans of it that end later are orphans "ended after
    /// the capture".
    pub(crate) fn retire(&self, trace_id: TraceId) {
        self.unregister(trace_id);
        let mut retired = self.retired.lock().unwrap_or_else(PoisonError::into_inner);
        if retired.len() >= RETIRED_TRACES {
            retired.drain(..RETIRED_TRACES / 2);
        }
        retired.push(trace_id);
    }

    fn unregister(&self, trace_id: TraceId) {
        self.buckets.write().unwrap_or_else(PoisonError::into_inner).remove(&trace_id);
    }

    pub(crate) fn bucket(&self, trace_id: TraceId) -> Option<Arc<Bucket>> {
        self.buckets.read().unwrap_or_else(PoisonError::into_inner).get(&trace_id).cloned()
    }

    pub(crate) fn resource(&self) -> Resource {
        self.resource.get().cloned().unwrap_or_else(|| Resource::builder_empty().build())
    }

    fn orphan(&self, span: &SpanData) {
        let trace_id = span.span_context.trace_id();
        let late = self.retired.lock().unwrap_or_else(PoisonError::into_inner).contains(&trace_id);
        let reason =
            if late { OrphanReason::EndedAfterCapture } else { OrphanReason::UnknownTrace };
        let mut log = self.orphans.lock().unwrap_or_else(PoisonError::into_inner);
        log.total += 1;
        if log.recent.len() >= RECENT_ORPHANS {
            log.recent.remove(0);
        }
        log.recent.push(Orphan { name: span.name.to_string(), trace_id, reason });
    }

    pub(crate) fn orphan_report(&self) -> (usize, Vec<Orphan>) {
        let log = self.orphans.lock().unwrap_or_else(PoisonError::into_inner);
        (log.total, log.recent.clone())
    }

    /// Whether a span that `emit` starts and ends in a probe context reaches this router:
    /// the check that an entry point still routes to the testkit.
    pub(crate) fn routes(&self, emit: impl FnOnce(&Context)) -> bool {
        let ids = RandomIdGenerator::default();
        let trace_id = ids.new_trace_id();
        let bucket = self.register(trace_id);
        emit(&synthetic_parent(trace_id, ids.new_span_id()));
        self.unregister(trace_id);
        bucket.ended.load(Ordering::Relaxed) > 0
    }
}

/// Samples every span (as `Sampler::AlwaysOn`), and leaves its name for `on_start`: the
/// SDK gives the processor no cheaper way to a starting span's name.
#[derive(Clone, Debug)]
struct NamingSampler;

impl ShouldSample for NamingSampler {
    fn should_sample(
        &self,
        parent_context: Option<&Context>,
        trace_id: TraceId,
        name: &str,
        span_kind: &SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult {
        STARTING.with(|starting| starting.set(Some((trace_id, name.to_owned()))));
        Sampler::AlwaysOn.should_sample(
            parent_context,
            trace_id,
            name,
            span_kind,
            attributes,
            links,
        )
    }
}

/// The name of `span`, which is starting: from the sampler if it ran for this trace on
/// this thread (a span `tracing-opentelemetry` sampled earlier did not), else from a copy
/// of the span's data.
fn starting_name(span: &Span, trace_id: TraceId) -> Cow<'static, str> {
    match STARTING.with(Cell::take) {
        Some((sampled, name)) if sampled == trace_id => Cow::Owned(name),
        _ => span.exported_data().map_or(Cow::Borrowed("<unnamed>"), |d| d.name),
    }
}

/// Routes spans to buckets by trace id.
#[derive(Debug)]
struct RoutingProcessor(Arc<Router>);

impl SpanProcessor for RoutingProcessor {
    fn on_start(&self, span: &mut Span, _cx: &Context) {
        use opentelemetry::trace::Span as _;
        let context = span.span_context().clone();
        let name = starting_name(span, context.trace_id());
        if let Some(bucket) = self.0.bucket(context.trace_id()) {
            bucket.started.fetch_add(1, Ordering::Relaxed);
            bucket
                .open
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((context.span_id(), name));
            return;
        }
        // A span outside every capture, started while a capture is attached on this
        // thread: the work replaced or lost the capture's context.
        ACTIVE.with(|active| {
            if let Some((_, bucket)) = active.borrow().last() {
                bucket
                    .escaped
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(name.into_owned());
            }
        });
    }

    fn on_end(&self, span: SpanData) {
        match self.0.bucket(span.span_context.trace_id()) {
            Some(bucket) => {
                bucket.ended.fetch_add(1, Ordering::Relaxed);
                let mut open = bucket.open.lock().unwrap_or_else(PoisonError::into_inner);
                let id = span.span_context.span_id();
                if let Some(at) = open.iter().rposition(|(open_id, _)| *open_id == id) {
                    open.swap_remove(at);
                }
                drop(open);
                bucket.spans.lock().unwrap_or_else(PoisonError::into_inner).push(span);
            }
            None => self.0.orphan(&span),
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        let _ = self.0.resource.set(resource.clone());
    }
}

/// Marks a capture as attached on this thread (for escape detection).
pub(crate) fn push_active(trace_id: TraceId, bucket: Arc<Bucket>) {
    ACTIVE.with(|active| active.borrow_mut().push((trace_id, bucket)));
}

/// Unmarks it.
pub(crate) fn pop_active(trace_id: TraceId) {
    ACTIVE.with(|active| {
        let mut active = active.borrow_mut();
        if let Some(at) = active.iter().rposition(|(id, _)| *id == trace_id) {
            active.remove(at);
        }
    });
}

/// The synthetic parent of a capture: remote, sampled, carrying the capture's trace id.
pub(crate) fn synthetic_parent(trace_id: TraceId, span_id: SpanId) -> Context {
    Context::new().with_remote_span_context(SpanContext::new(
        trace_id,
        span_id,
        opentelemetry::trace::TraceFlags::SAMPLED,
        true,
        opentelemetry::trace::TraceState::default(),
    ))
}
