//! `TracerFactory`: one cached tracer per instrumentation name, a no-op tracer when
//! telemetry is off.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex, PoisonError, RwLock};

use opentelemetry::InstrumentationScope;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{Sampler, SdkTracer, SdkTracerProvider};

/// The tracer type every floe instrumentation point uses.
pub type FloeTracer = SdkTracer;

/// Hands out tracers by name.
///
/// A factory starts disabled: its tracers produce non-recording spans that still carry
/// the trace context, so instrumented code never branches on whether telemetry is on.
/// [`TracerFactory::install`] switches every later call to a real provider and drops
/// tracers cached for the previous one, so a tracer is never bound to a stale provider.
///
/// Plugins do not hold tracers across calls; they ask for one per operation (a read lock
/// and a clone of an `Arc`), which is what lets a test harness install its provider after
/// a plugin was built. Domain spans ask the global factory through a per-thread copy of
/// its tracers that is dropped as soon as a provider is installed or telemetry disabled
/// (one atomic load per span, no lock); a thread keeps its copies, and so the previous
/// provider, until it next starts a span.
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
    /// `State::generation`, readable without the lock.
    generation: AtomicU64,
}

#[derive(Debug)]
struct State {
    provider: SdkTracerProvider,
    enabled: bool,
    tracers: HashMap<String, FloeTracer>,
    /// Bumped by every `install` and `disable`.
    generation: u64,
}

/// Tracer names, kept for the life of the process: every ended span copies its tracer's
/// instrumentation scope, and a `&'static str` name is copied without an allocation.
/// Bounded by the number of distinct tracer names (one per instrumented crate).
static NAMES: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Mutex::default);

/// `name` as a `&'static str`, leaked once per distinct name.
fn interned(name: &str) -> &'static str {
    let mut names = NAMES.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = names.get(name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.insert(leaked);
    leaked
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
                generation: 0,
            }),
            generation: AtomicU64::new(0),
        }
    }

    /// The process-wide factory every plugin uses.
    pub fn global() -> &'static TracerFactory {
        &GLOBAL
    }

    /// The tracer for `name`, created on first use and cached.
    pub fn tracer(&self, name: &str) -> FloeTracer {
        self.tracer_and_generation(name).0
    }

    /// The tracer for `name` and the generation of the provider it comes from.
    fn tracer_and_generation(&self, name: &str) -> (FloeTracer, u64) {
        {
            let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(tracer) = state.tracers.get(name) {
                return (tracer.clone(), state.generation);
            }
        }
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let State { provider, tracers, generation, .. } = &mut *state;
        let tracer = tracers
            .entry(name.to_owned())
            .or_insert_with(|| {
                provider.tracer_with_scope(InstrumentationScope::builder(interned(name)).build())
            })
            .clone();
        (tracer, *generation)
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
        self.replace(provider, true);
    }

    /// Goes back to no-op tracers.
    pub fn disable(&self) {
        self.replace(NOOP_PROVIDER.clone(), false);
    }

    fn replace(&self, provider: SdkTracerProvider, enabled: bool) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let generation = state.generation + 1;
        *state = State { provider, enabled, tracers: HashMap::new(), generation };
        self.generation.store(generation, Ordering::Release);
    }
}

/// A thread's copies of the tracers of the factory it used last: that factory (by
/// address), the generation they were taken in, and the tracers by name.
type Copies = (usize, u64, Vec<(Box<str>, FloeTracer)>);

thread_local! {
    /// This thread's copies, valid for one factory and one generation.
    static COPIES: RefCell<Copies> = const { RefCell::new((0, u64::MAX, Vec::new())) };
}

impl TracerFactory {
    /// This factory's tracer for `name`, like [`tracer`](Self::tracer), from this thread's
    /// copy while no provider was installed since it was taken (one atomic load and a
    /// string comparison, no lock). Domain spans use it on the global factory.
    pub(crate) fn cached_tracer(&'static self, name: &str) -> FloeTracer {
        let factory = std::ptr::from_ref(self) as usize;
        let generation = self.generation.load(Ordering::Acquire);
        COPIES.with(|copies| {
            let Ok(mut copies) = copies.try_borrow_mut() else {
                return self.tracer(name);
            };
            let (seen_factory, seen, tracers) = &mut *copies;
            if *seen_factory != factory || *seen != generation {
                tracers.clear();
                *seen_factory = factory;
                *seen = generation;
            }
            if let Some((_, tracer)) = tracers.iter().find(|(n, _)| **n == *name) {
                return tracer.clone();
            }
            let (tracer, taken_in) = self.tracer_and_generation(name);
            if taken_in == generation {
                tracers.push((name.into(), tracer.clone()));
            }
            tracer
        })
    }
}

#[cfg(test)]
mod tests;
