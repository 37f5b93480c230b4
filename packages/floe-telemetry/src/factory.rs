//! `TracerFactory`: one cached tracer per instrumentation name, a no-op tracer when
//! telemetry is off.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, PoisonError, RwLock};

use opentelemetry::InstrumentationScope;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{Sampler, SdkTracer, SdkTracerProvider};

use super::intern::interned;

/// The tracer type every floe instrumentation point uses.
pub type FloeTracer = SdkTracer;

/// Hands out tracers by name.
///
/// A factory starts disabled: its tracers produce non-recording spans that still carry
/// the trace context, so instrumented code never branches on whether telemetry is on.
/// [`TracerFactory::install`] switches every later call to a real provider and drops
/// tracers cached for the previous one, so a tracer is never bound to a stale provider.
///
/// Plugins do not hold tracers across calls; they ask for one per operation (a lookup in
/// a per-thread cache, else a read lock, and a clone of an `Arc`), which is what lets a
/// test harness install its provider after a plugin was built.
///
/// # Examples
/// ```
/// use floe_telemetry::TracerFactory;
/// use opentelemetry::trace::{Span as _, Tracer as _};
///
/// let factory = TracerFactory::new();
/// let span = factory.tracer("floe.example").start("example.work");
/// assert!(!span.is_recording(), "a fresh factory is a no-op");
/// ```
#[derive(Debug)]
pub struct TracerFactory {
    state: RwLock<State>,
    /// This factory, among every factory of the process (the key of the per-thread cache).
    id: u64,
    /// Bumped by every `install` and `disable`, under the state's write lock: a tracer a
    /// thread cached under an older generation is never handed out again.
    generation: AtomicU64,
}

/// The ids of factories.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// Per-thread tracers a factory handed out recently: `(factory id, generation, name)`.
/// The lookup every span start makes is then a scan of a few entries, not a read lock and
/// a `String`-keyed hash of the shared map (measured by the `span_floor` bench).
struct Cached {
    factory: u64,
    generation: u64,
    name: &'static str,
    tracer: FloeTracer,
}

/// At most this many tracers per thread (a process has one per plugin; tests make more).
const THREAD_CACHE: usize = 32;

thread_local! {
    static TRACERS: RefCell<Vec<Cached>> = const { RefCell::new(Vec::new()) };
}

#[derive(Debug)]
struct State {
    provider: SdkTracerProvider,
    enabled: bool,
    tracers: HashMap<String, FloeTracer>,
}

/// The provider of a disabled factory: no processor, nothing sampled.
static NOOP_PROVIDER: LazyLock<SdkTracerProvider> =
    LazyLock::new(|| SdkTracerProvider::builder().with_sampler(Sampler::AlwaysOff).build());

static GLOBAL: LazyLock<TracerFactory> = LazyLock::new(TracerFactory::new);

impl Default for TracerFactory {
    fn default() -> Self {
        Self::new()
    }
}

impl TracerFactory {
    /// A disabled factory.
    pub fn new() -> Self {
        Self {
            state: RwLock::new(State {
                provider: NOOP_PROVIDER.clone(),
                enabled: false,
                tracers: HashMap::new(),
            }),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            generation: AtomicU64::new(0),
        }
    }

    /// The process-wide factory every plugin uses.
    pub fn global() -> &'static TracerFactory {
        &GLOBAL
    }

    /// The tracer for `name`, created on first use and cached.
    pub fn tracer(&self, name: &str) -> FloeTracer {
        self.with_tracer(name, FloeTracer::clone)
    }

    /// Runs `f` on the tracer for `name`, borrowed from this thread's cache when it is
    /// there. A span start needs the tracer only while it builds the span (which keeps a
    /// clone of its own): a clone and its drop were four atomic reference-count updates,
    /// a tenth of a raw SDK span's time (`span_floor` bench). A span start returns nothing
    /// through this call: it writes the span (a few hundred bytes) where it is kept, as
    /// returning it through the call's layers copied it each time.
    pub(crate) fn with_tracer<R>(&self, name: &str, f: impl FnOnce(&FloeTracer) -> R) -> R {
        // Read before the shared map: a tracer cached under this generation was current
        // when it was read, and an install after this load only makes it look stale.
        let generation = self.generation.load(Ordering::Acquire);
        TRACERS.with(|cell| {
            // `f` runs under a shared borrow of this thread's cache: a lookup it makes (a
            // processor starting a span) reads the cache, and a miss there skips caching
            // instead of borrowing it mutably.
            if let Ok(cached) = cell.try_borrow()
                && let Some(hit) = cached
                    .iter()
                    .find(|c| c.factory == self.id && c.generation == generation && c.name == name)
            {
                return f(&hit.tracer);
            }
            self.cache_miss(cell, name, generation, f)
        })
    }

    /// The tracer for `name` from the shared map, cached for this thread, then `f` on it.
    /// Out of line: the hit above is every span start's path, and `f` passed through a
    /// shared path was moved in and out of a `Result` on each of them (the `span_floor`
    /// bench's callgrind count fell by a hundred instructions per span).
    #[cold]
    #[inline(never)]
    fn cache_miss<R>(
        &self,
        cell: &RefCell<Vec<Cached>>,
        name: &str,
        generation: u64,
        f: impl FnOnce(&FloeTracer) -> R,
    ) -> R {
        let tracer = self.shared_tracer(name);
        if let Ok(mut cached) = cell.try_borrow_mut() {
            cached.retain(|c| !(c.factory == self.id && c.name == name));
            if cached.len() >= THREAD_CACHE {
                cached.remove(0);
            }
            cached.push(Cached {
                factory: self.id,
                generation,
                name: interned(name),
                tracer: tracer.clone(),
            });
        }
        f(&tracer)
    }

    /// The tracer for `name` from the shared map, created on first use.
    fn shared_tracer(&self, name: &str) -> FloeTracer {
        {
            let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(tracer) = state.tracers.get(name) {
                return tracer.clone();
            }
        }
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let State { provider, tracers, .. } = &mut *state;
        tracers
            .entry(name.to_owned())
            .or_insert_with(|| {
                // A scope named by a `&'static str` clones without allocating, and the SDK
                // clones the scope into every span it starts; an owned name cost each span
                // two allocations that a tracer named by a literal does not pay.
                provider.tracer_with_scope(InstrumentationScope::builder(interned(name)).build())
            })
            .clone()
    }

    /// Whether a real provider is installed.
    pub fn is_enabled(&self) -> bool {
        self.state.read().unwrap_or_else(PoisonError::into_inner).enabled
    }

    /// How many tracers are cached.
    pub fn cached_tracers(&self) -> usize {
        self.state.read().unwrap_or_else(PoisonError::into_inner).tracers.len()
    }

    /// Makes `provider` the source of every tracer handed out from now on.
    pub fn install(&self, provider: SdkTracerProvider) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        *state = State { provider, enabled: true, tracers: HashMap::new() };
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// Goes back to no-op tracers.
    pub fn disable(&self) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        *state = State { provider: NOOP_PROVIDER.clone(), enabled: false, tracers: HashMap::new() };
        self.generation.fetch_add(1, Ordering::Release);
    }
}
