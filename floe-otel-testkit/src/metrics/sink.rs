//! One capture's metrics pipeline: an SDK meter provider built on the capture's first
//! measurement, whose reader hands each collection to an in-memory exporter, and the SDK
//! instruments the routed global ones record into.
//!
//! A `PeriodicReader` with an interval no test reaches: `collect` flushes it, which exports
//! on the reader's thread and returns when the export is done. (The SDK's manual reader
//! would need its `experimental_metrics_custom_reader` feature, which would change
//! `opentelemetry_sdk` for every crate built with the testkit.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use opentelemetry::metrics::{Counter, Gauge, Histogram, MeterProvider as _, UpDownCounter};
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider, Temporality};

use super::data::CapturedMetric;
use super::route::{Kind, Number, Spec};

/// Longer than any test: the reader exports when the capture asks, not on a timer.
const NEVER: Duration = Duration::from_hours(24);

/// The SDK instrument a routed one records into, in one capture.
enum Instrument {
    U64Counter(Counter<u64>),
    F64Counter(Counter<f64>),
    I64UpDownCounter(UpDownCounter<i64>),
    F64UpDownCounter(UpDownCounter<f64>),
    U64Gauge(Gauge<u64>),
    I64Gauge(Gauge<i64>),
    F64Gauge(Gauge<f64>),
    U64Histogram(Histogram<u64>),
    F64Histogram(Histogram<f64>),
}

type InstrumentKey = (String, Option<String>, String, Kind);

/// A capture's meter provider, and the last collection its reader exported.
pub(crate) struct Sink {
    provider: SdkMeterProvider,
    exported: Arc<Mutex<Vec<CapturedMetric>>>,
    instruments: Mutex<HashMap<InstrumentKey, Instrument>>,
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sink").field("provider", &self.provider).finish_non_exhaustive()
    }
}

/// Keeps the latest collection, as plain data.
#[derive(Debug)]
struct InMemory(Arc<Mutex<Vec<CapturedMetric>>>);

impl PushMetricExporter for InMemory {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = super::data::convert(metrics);
        Ok(())
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        Temporality::Cumulative
    }
}

impl Sink {
    pub(crate) fn new() -> Self {
        let exported = Arc::new(Mutex::new(Vec::new()));
        let reader =
            PeriodicReader::builder(InMemory(Arc::clone(&exported))).with_interval(NEVER).build();
        let provider = SdkMeterProvider::builder()
            .with_resource(
                Resource::builder_empty()
                    .with_service_name(crate::capture::router::SERVICE_NAME)
                    .build(),
            )
            .with_reader(reader)
            .build();
        Self { provider, exported, instruments: Mutex::new(HashMap::new()) }
    }

    /// The capture's own provider, for code that is handed one.
    pub(crate) fn provider(&self) -> SdkMeterProvider {
        self.provider.clone()
    }

    /// Everything recorded so far (cumulative).
    pub(crate) fn collect(&self) -> Vec<CapturedMetric> {
        // A flush that fails leaves the last collection; the assertions then show it.
        let _ = self.provider.force_flush();
        self.exported.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub(crate) fn record(
        &self,
        scope: &InstrumentationScope,
        spec: &Spec,
        number: Number,
        attributes: &[KeyValue],
    ) {
        let key = (
            scope.name().to_owned(),
            scope.version().map(str::to_owned),
            spec.name.to_string(),
            spec.kind,
        );
        let mut instruments = self.instruments.lock().unwrap_or_else(PoisonError::into_inner);
        let instrument = instruments.entry(key).or_insert_with(|| self.build(scope, spec));
        record(instrument, number, attributes);
    }

    fn build(&self, scope: &InstrumentationScope, spec: &Spec) -> Instrument {
        let meter = self.provider.meter_with_scope(scope.clone());
        macro_rules! sync {
            ($method:ident, $variant:ident) => {{
                let mut builder = meter.$method(spec.name.clone());
                if let Some(description) = &spec.description {
                    builder = builder.with_description(description.clone());
                }
                if let Some(unit) = &spec.unit {
                    builder = builder.with_unit(unit.clone());
                }
                Instrument::$variant(builder.build())
            }};
        }
        macro_rules! histogram {
            ($method:ident, $variant:ident) => {{
                let mut builder = meter.$method(spec.name.clone());
                if let Some(description) = &spec.description {
                    builder = builder.with_description(description.clone());
                }
                if let Some(unit) = &spec.unit {
                    builder = builder.with_unit(unit.clone());
                }
                if let Some(boundaries) = &spec.boundaries {
                    builder = builder.with_boundaries(boundaries.clone());
                }
                Instrument::$variant(builder.build())
            }};
        }
        match spec.kind {
            Kind::U64Counter => sync!(u64_counter, U64Counter),
            Kind::F64Counter => sync!(f64_counter, F64Counter),
            Kind::I64UpDownCounter => sync!(i64_up_down_counter, I64UpDownCounter),
            Kind::F64UpDownCounter => sync!(f64_up_down_counter, F64UpDownCounter),
            Kind::U64Gauge => sync!(u64_gauge, U64Gauge),
            Kind::I64Gauge => sync!(i64_gauge, I64Gauge),
            Kind::F64Gauge => sync!(f64_gauge, F64Gauge),
            Kind::U64Histogram => histogram!(u64_histogram, U64Histogram),
            Kind::F64Histogram => histogram!(f64_histogram, F64Histogram),
        }
    }
}

/// Records `number` on `instrument`; the routed instrument's kind fixes the number type,
/// so a mismatch cannot happen.
fn record(instrument: &Instrument, number: Number, attributes: &[KeyValue]) {
    match (instrument, number) {
        (Instrument::U64Counter(i), Number::U64(n)) => i.add(n, attributes),
        (Instrument::F64Counter(i), Number::F64(n)) => i.add(n, attributes),
        (Instrument::I64UpDownCounter(i), Number::I64(n)) => i.add(n, attributes),
        (Instrument::F64UpDownCounter(i), Number::F64(n)) => i.add(n, attributes),
        (Instrument::U64Gauge(i), Number::U64(n)) => i.record(n, attributes),
        (Instrument::I64Gauge(i), Number::I64(n)) => i.record(n, attributes),
        (Instrument::F64Gauge(i), Number::F64(n)) => i.record(n, attributes),
        (Instrument::U64Histogram(i), Number::U64(n)) => i.record(n, attributes),
        (Instrument::F64Histogram(i), Number::F64(n)) => i.record(n, attributes),
        _ => {}
    }
}
