//! `TracerFactory`: one cached tracer per instrumentation name, a no-op tracer when
//! telemetry is off.

use std::collections::HashMap;
use std::sync::{LazyLock, PoisonError, RwLock};

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
/// a plugin was built.
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
        }
    }

    /// The process-wide factory every plugin uses.
    pub fn global() -> &'static TracerFactory {
        &GLOBAL
    }

    /// The tracer for `name`, created on first use and cached.
    pub fn tracer(&self, name: &str) -> FloeTracer {
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
                provider.tracer_with_scope(InstrumentationScope::builder(name.to_owned()).build())
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
    }

    /// Goes back to no-op tracers.
    pub fn disable(&self) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        *state = State { provider: NOOP_PROVIDER.clone(), enabled: false, tracers: HashMap::new() };
    }
}
