//! Metrics (feature `metrics`, on by default): what a test's code recorded, with
//! assertions on instrument name, kind, unit, attributes and values, in the spirit of
//! OpenTelemetry Java's `MetricAssert` and Go's `metricdatatest`.
//!
//! # Isolation under parallel tests
//! The first [`Capture`] also makes the testkit's meter provider the
//! `opentelemetry::global` one. Its synchronous instruments (counters, up-down counters,
//! gauges, histograms) hold no data themselves: each measurement goes, when it is
//! recorded, to the capture whose trace is current, by the same rule as spans (the test
//! thread while the capture is attached; work that carries `capture.context()` or runs
//! in `capture.bind(..)`; code inside a `tracing` span of the capture). There it is
//! aggregated by an SDK pipeline of that capture alone, so parallel tests each see
//! exactly their own measurements, even through one instrument held in a `static`.
//!
//! What this does not isolate:
//! - a measurement made where no capture's context is current (a background thread that
//!   did not get the context) belongs to no test: it is dropped and counted
//!   ([`metric_orphans`]);
//! - observable (asynchronous) instruments of the global meter are not captured: their
//!   callbacks run when a reader collects and observe process-wide state that no test
//!   owns. Hand the code under test [`Capture::meter_provider`] instead: that provider
//!   is the capture's own, and everything recorded through it (observable instruments
//!   included) is the capture's alone, whatever thread records it;
//! - views are not applied to the global meter's instruments (each is re-created in the
//!   capture's pipeline from its name, description, unit and histogram boundaries).
//!
//! Values are cumulative from the capture's first measurement.
//!
//! # Examples
//! ```
//! use floe_otel_testkit::{Capture, expect};
//! use opentelemetry::KeyValue;
//!
//! let capture = Capture::start();
//! let orders = opentelemetry::global::meter("shop").u64_counter("shop.orders").with_unit("{order}").build();
//! orders.add(2, &[KeyValue::new("region", "eu")]);
//! orders.add(1, &[KeyValue::new("region", "eu")]);
//! capture.assert_metric(
//!     expect::metric("shop.orders")
//!         .counter()
//!         .unit("{order}")
//!         .point(expect::point().attr("region", "eu").value(3)),
//! );
//! ```

mod data;
mod expect;
pub(crate) mod route;
pub(crate) mod sink;

use std::sync::atomic::Ordering;

use opentelemetry::InstrumentationScope;
use opentelemetry_sdk::metrics::SdkMeterProvider;

pub use data::{CapturedMetric, CapturedMetrics, DataPoint, MetricKind, PointValue};
pub use expect::{MetricExpectation, PointExpectation, metric, point};

use crate::Capture;

/// Makes the routing provider the `opentelemetry::global` meter provider (once, with the
/// tracer provider).
pub(crate) fn install_global() {
    opentelemetry::global::set_meter_provider(route::RoutingMeterProvider);
}

/// How many measurements of the global meter were recorded where no capture's context was
/// current, since the process started.
pub fn metric_orphans() -> usize {
    route::ORPHANS.load(Ordering::Relaxed)
}

/// Why the global meter may not reach the capture: it was replaced.
fn problems() -> Vec<String> {
    let before = route::PROBE_HITS.with(std::cell::Cell::get);
    opentelemetry::global::meter_provider()
        .meter_with_scope(InstrumentationScope::builder(route::PROBE).build())
        .u64_counter(route::PROBE)
        .build()
        .add(1, &[]);
    if route::PROBE_HITS.with(std::cell::Cell::get) > before {
        return Vec::new();
    }
    vec![
        "the `opentelemetry::global` meter provider is no longer the testkit's: code called \
         `opentelemetry::global::set_meter_provider` after the first capture, so measurements \
         of `opentelemetry::global::meter(..)` go to that provider and are not captured. Do \
         not install one in tests; hand code that needs a provider `capture.meter_provider()`"
            .to_owned(),
    ]
}

impl Capture {
    /// The metrics recorded in this capture so far: through the global meter in the
    /// capture's context, and through [`meter_provider`](Self::meter_provider).
    pub fn metrics(&self) -> CapturedMetrics {
        let collected = self.bucket().metrics.get().map(sink::Sink::collect).unwrap_or_default();
        CapturedMetrics::new(collected, problems())
    }

    /// This capture's own meter provider: everything recorded through it, on any thread,
    /// observable instruments included, belongs to this capture alone. For code under test
    /// that takes a provider or a `Meter` instead of using the global one.
    pub fn meter_provider(&self) -> SdkMeterProvider {
        self.bucket().metrics.get_or_init(sink::Sink::new).provider()
    }

    /// See [`CapturedMetrics::assert_metric`].
    #[track_caller]
    pub fn assert_metric(&self, expectation: MetricExpectation) -> CapturedMetric {
        self.metrics().assert_metric(expectation)
    }
}
