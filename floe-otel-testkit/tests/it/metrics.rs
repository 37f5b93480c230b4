//! The metrics fixture: what its documentation promises about isolation, and matchers
//! that fail on the nearest wrong value.

use std::sync::{Barrier, LazyLock};

use floe_otel_testkit::metrics::{MetricKind, PointValue, metric_orphans};
use floe_otel_testkit::{Capture, expect};
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram, MeterProvider as _};

use crate::support::failure_message;

/// One instrument shared by every test, as a library holds it in a `static`. A test may
/// touch it before any capture started: `install` first, or it would be the no-op
/// instrument of the default global provider for good.
static ORDERS: LazyLock<Counter<u64>> = LazyLock::new(|| {
    floe_otel_testkit::install();
    opentelemetry::global::meter("shop").u64_counter("shop.orders").with_unit("{order}").build()
});

static LATENCY: LazyLock<Histogram<f64>> = LazyLock::new(|| {
    floe_otel_testkit::install();
    opentelemetry::global::meter("shop")
        .f64_histogram("shop.latency")
        .with_unit("ms")
        .with_description("Time to place an order")
        .with_boundaries(vec![10.0, 100.0])
        .build()
});

#[test]
fn parallel_tests_each_see_only_their_own_measurements() {
    const TESTS: u64 = 8;
    let barrier = Barrier::new(usize::try_from(TESTS).unwrap());
    std::thread::scope(|scope| {
        for n in 1..=TESTS {
            let barrier = &barrier;
            scope.spawn(move || {
                let capture = Capture::start();
                barrier.wait();
                // on the test thread, on a thread given the context, in a bound task
                ORDERS.add(n, &[KeyValue::new("region", "eu")]);
                let cx = capture.context();
                std::thread::spawn(move || {
                    let _attached = cx.attach();
                    ORDERS.add(n, &[KeyValue::new("region", "eu")]);
                })
                .join()
                .unwrap();
                let runtime =
                    tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
                let task = runtime.spawn(capture.bind(async move {
                    ORDERS.add(n, &[KeyValue::new("region", "us")]);
                }));
                runtime.block_on(task).unwrap();
                barrier.wait();
                capture.assert_metric(
                    expect::metric("shop.orders")
                        .counter()
                        .unit("{order}")
                        .scope("shop")
                        .point(
                            expect::point()
                                .attr("region", "eu")
                                .value(u32::try_from(2 * n).unwrap()),
                        )
                        .point(
                            expect::point().attr("region", "us").value(u32::try_from(n).unwrap()),
                        )
                        .point_count(2),
                );
            });
        }
    });
}

#[test]
fn a_measurement_outside_every_capture_is_dropped_and_counted() {
    let before = metric_orphans();
    ORDERS.add(1, &[KeyValue::new("region", "nowhere")]);
    assert!(metric_orphans() > before);
    let capture = Capture::start();
    ORDERS.add(1, &[KeyValue::new("region", "eu")]);
    capture.assert_metric(expect::metric("shop.orders").point_count(1));
}

#[test]
fn the_capture_provider_is_the_capture_s_own_on_any_thread() {
    let capture = Capture::start();
    let provider = capture.meter_provider();
    // kept to the end of the test: the gauge observes while it lives
    let _gauge = std::thread::spawn(move || {
        // no capture context here: the provider alone decides where this goes
        let meter = provider.meter("injected");
        meter.i64_up_down_counter("queue.depth").build().add(-3, &[]);
        meter
            .u64_observable_gauge("pool.size")
            .with_callback(|observer| observer.observe(4, &[]))
            .build()
    })
    .join()
    .unwrap();
    capture.assert_metric(
        expect::metric("queue.depth").up_down_counter().point(expect::point().value(-3)),
    );
    capture.assert_metric(expect::metric("pool.size").gauge().point(expect::point().value(4)));
}

#[test]
fn observable_instruments_of_the_global_meter_are_not_captured() {
    let capture = Capture::start();
    let _gauge = opentelemetry::global::meter("shop")
        .u64_observable_gauge("shop.open_carts")
        .with_callback(|observer| observer.observe(7, &[]))
        .build();
    ORDERS.add(1, &[]);
    let metrics = capture.metrics();
    assert_eq!(metrics.names(), ["shop.orders"]);
}

#[test]
fn histograms_report_count_sum_min_max_and_buckets() {
    let capture = Capture::start();
    for ms in [4.0, 40.0, 400.0] {
        LATENCY.record(ms, &[KeyValue::new("route", "/cart")]);
    }
    let latency = capture.assert_metric(
        expect::metric("shop.latency")
            .histogram()
            .unit("ms")
            .description("Time to place an order")
            .point(expect::point().attr("route", "/cart").count(3).sum(444).min(4).max(400)),
    );
    assert_eq!(latency.kind, MetricKind::Histogram);
    let PointValue::Histogram { bounds, bucket_counts, .. } = &latency.points[0].value else {
        panic!("a histogram point: {latency:?}");
    };
    assert_eq!(
        (bounds.as_slice(), bucket_counts.as_slice()),
        ([10.0, 100.0].as_slice(), [1, 1, 1].as_slice())
    );
}

#[test]
fn metric_matchers_fail_on_the_nearest_wrong_value() {
    let capture = Capture::start();
    ORDERS.add(2, &[KeyValue::new("region", "eu")]);
    LATENCY.record(12.0, &[KeyValue::new("route", "/cart")]);
    let orders = || expect::metric("shop.orders");
    let latency = || expect::metric("shop.latency");
    for (expectation, expected) in [
        (orders().up_down_counter(), "FAIL kind up-down counter\n         actual: counter"),
        (orders().unit("{orders}"), "FAIL unit \"{orders}\"\n         actual: \"{order}\""),
        (
            latency().description("Time to place an order."),
            "FAIL description \"Time to place an order.\"",
        ),
        (
            orders().point(expect::point().attr("region", "eu").value(3)),
            "FAIL data point region: = \"eu\" value = 3\n         actual: points: [{region = \"eu\"} = 2]",
        ),
        (
            orders().point(expect::point().attr("region", "us").value(2)),
            "FAIL data point region: = \"us\" value = 2",
        ),
        (
            orders().point(expect::point().value(2).exact_attrs()),
            "FAIL data point (no other attribute) value = 2",
        ),
        (orders().point_count(2), "FAIL 2 data points"),
        (latency().point(expect::point().count(2)), "FAIL data point count = 2"),
        (latency().point(expect::point().sum(12.5)), "FAIL data point sum = 12.5"),
        (latency().point(expect::point().min(11)), "FAIL data point min = 11"),
        (latency().point(expect::point().max(13)), "FAIL data point max = 13"),
        (latency().point(expect::point().value(12)), "FAIL data point value = 12"),
    ] {
        let message = failure_message(|| {
            capture.assert_metric(expectation);
        });
        assert!(message.contains(expected), "missing {expected:?} in:\n{message}");
    }
    let message = failure_message(|| {
        capture.assert_metric(expect::metric("shop.refunds"));
    });
    assert!(
        message.contains("found 0 with that name among [\"shop.latency\", \"shop.orders\"]"),
        "{message}"
    );
}
