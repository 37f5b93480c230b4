//! The global meter provider the testkit installs: its synchronous instruments route each
//! measurement, when it is recorded, to the capture whose trace is current, where it goes
//! into that capture's own SDK pipeline.

use std::borrow::Cow;
use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use opentelemetry::metrics::{
    Counter, Gauge, Histogram, HistogramBuilder, InstrumentBuilder, InstrumentProvider, Meter,
    MeterProvider, SyncInstrument, UpDownCounter,
};
use opentelemetry::trace::TraceContextExt as _;
use opentelemetry::{Context, InstrumentationScope, KeyValue};

use crate::capture::router::ROUTER;

/// What kind of instrument, with its number type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    U64Counter,
    F64Counter,
    I64UpDownCounter,
    F64UpDownCounter,
    U64Gauge,
    I64Gauge,
    F64Gauge,
    U64Histogram,
    F64Histogram,
}

/// How an instrument was declared.
#[derive(Clone, Debug)]
pub(crate) struct Spec {
    pub(crate) name: Cow<'static, str>,
    pub(crate) description: Option<Cow<'static, str>>,
    pub(crate) unit: Option<Cow<'static, str>>,
    pub(crate) boundaries: Option<Vec<f64>>,
    pub(crate) kind: Kind,
}

/// One measurement, whatever its number type.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Number {
    U64(u64),
    I64(i64),
    F64(f64),
}

/// The scope and instrument name of the probe the capture records through to check that
/// the global meter provider still routes to it (`super::problems`).
pub(crate) const PROBE: &str = "floe-otel-testkit.probe";

/// Measurements recorded outside every capture since the process started.
pub(crate) static ORPHANS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Probe measurements this thread saw arrive through the routing provider.
    pub(crate) static PROBE_HITS: Cell<usize> = const { Cell::new(0) };
}

/// The provider `opentelemetry::global::meter_provider()` returns in a test binary.
#[derive(Debug)]
pub(crate) struct RoutingMeterProvider;

impl MeterProvider for RoutingMeterProvider {
    fn meter_with_scope(&self, scope: InstrumentationScope) -> Meter {
        Meter::new(Arc::new(RoutingMeter { scope }))
    }
}

struct RoutingMeter {
    scope: InstrumentationScope,
}

impl RoutingMeter {
    fn routed(&self, spec: Spec) -> Arc<Routed> {
        Arc::new(Routed { scope: self.scope.clone(), spec })
    }
}

fn spec<T>(builder: &InstrumentBuilder<'_, T>, kind: Kind) -> Spec {
    Spec {
        name: builder.name.clone(),
        description: builder.description.clone(),
        unit: builder.unit.clone(),
        boundaries: None,
        kind,
    }
}

fn histogram_spec<T>(builder: &HistogramBuilder<'_, T>, kind: Kind) -> Spec {
    Spec {
        name: builder.name.clone(),
        description: builder.description.clone(),
        unit: builder.unit.clone(),
        boundaries: builder.boundaries.clone(),
        kind,
    }
}

impl InstrumentProvider for RoutingMeter {
    fn u64_counter(&self, builder: InstrumentBuilder<'_, Counter<u64>>) -> Counter<u64> {
        Counter::new(self.routed(spec(&builder, Kind::U64Counter)))
    }

    fn f64_counter(&self, builder: InstrumentBuilder<'_, Counter<f64>>) -> Counter<f64> {
        Counter::new(self.routed(spec(&builder, Kind::F64Counter)))
    }

    fn i64_up_down_counter(
        &self,
        builder: InstrumentBuilder<'_, UpDownCounter<i64>>,
    ) -> UpDownCounter<i64> {
        UpDownCounter::new(self.routed(spec(&builder, Kind::I64UpDownCounter)))
    }

    fn f64_up_down_counter(
        &self,
        builder: InstrumentBuilder<'_, UpDownCounter<f64>>,
    ) -> UpDownCounter<f64> {
        UpDownCounter::new(self.routed(spec(&builder, Kind::F64UpDownCounter)))
    }

    fn u64_gauge(&self, builder: InstrumentBuilder<'_, Gauge<u64>>) -> Gauge<u64> {
        Gauge::new(self.routed(spec(&builder, Kind::U64Gauge)))
    }

    fn i64_gauge(&self, builder: InstrumentBuilder<'_, Gauge<i64>>) -> Gauge<i64> {
        Gauge::new(self.routed(spec(&builder, Kind::I64Gauge)))
    }

    fn f64_gauge(&self, builder: InstrumentBuilder<'_, Gauge<f64>>) -> Gauge<f64> {
        Gauge::new(self.routed(spec(&builder, Kind::F64Gauge)))
    }

    fn u64_histogram(&self, builder: HistogramBuilder<'_, Histogram<u64>>) -> Histogram<u64> {
        Histogram::new(self.routed(histogram_spec(&builder, Kind::U64Histogram)))
    }

    fn f64_histogram(&self, builder: HistogramBuilder<'_, Histogram<f64>>) -> Histogram<f64> {
        Histogram::new(self.routed(histogram_spec(&builder, Kind::F64Histogram)))
    }
}

/// A synchronous instrument of the global meter: records into the current capture.
struct Routed {
    scope: InstrumentationScope,
    spec: Spec,
}

impl Routed {
    fn record(&self, number: Number, attributes: &[KeyValue]) {
        if self.scope.name() == PROBE {
            PROBE_HITS.with(|hits| hits.set(hits.get() + 1));
            return;
        }
        let trace_id = Context::map_current(|cx| cx.span().span_context().trace_id());
        match ROUTER.bucket(trace_id) {
            Some(bucket) => bucket.metrics.get_or_init(super::sink::Sink::new).record(
                &self.scope,
                &self.spec,
                number,
                attributes,
            ),
            None => {
                ORPHANS.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

impl SyncInstrument<u64> for Routed {
    fn measure(&self, measurement: u64, attributes: &[KeyValue]) {
        self.record(Number::U64(measurement), attributes);
    }
}

impl SyncInstrument<i64> for Routed {
    fn measure(&self, measurement: i64, attributes: &[KeyValue]) {
        self.record(Number::I64(measurement), attributes);
    }
}

impl SyncInstrument<f64> for Routed {
    fn measure(&self, measurement: f64, attributes: &[KeyValue]) {
        self.record(Number::F64(measurement), attributes);
    }
}
