//! Capture cost: set-up plus teardown, and a span through the routing processor against
//! the same span through `InMemorySpanExporter`. Ends with the ratio measured in this run.
//!
//! `cargo bench -p floe-otel-testkit --bench capture`
#![expect(clippy::print_stdout, reason = "the bench reports its measured ratio on stdout")]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use floe_otel_testkit::Capture;
use floe_telemetry::TracerFactory;
use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};

const BATCH: u64 = 1_000;

fn through_capture(iters: u64) -> Duration {
    let tracer = TracerFactory::global().tracer("bench");
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(BATCH);
        let capture = Capture::start();
        let start = Instant::now();
        for _ in 0..n {
            tracer.start("bench.span").end();
        }
        total += start.elapsed();
        drop(capture);
        left -= n;
    }
    total
}

fn through_in_memory(
    provider: &SdkTracerProvider,
    exporter: &InMemorySpanExporter,
    iters: u64,
) -> Duration {
    let tracer = provider.tracer("bench");
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(BATCH);
        let start = Instant::now();
        for _ in 0..n {
            tracer.start("bench.span").end();
        }
        total += start.elapsed();
        exporter.reset();
        left -= n;
    }
    total
}

fn main() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build();
    drop(Capture::start());

    let mut c = Criterion::default().configure_from_args();
    c.bench_function("capture/start_and_drop", |b| b.iter(|| black_box(Capture::start())));
    c.bench_function("capture/span_through_capture", |b| b.iter_custom(through_capture));
    c.bench_function("capture/span_through_in_memory_exporter", |b| {
        b.iter_custom(|iters| through_in_memory(&provider, &exporter, iters));
    });
    c.final_summary();

    // The ratio, from interleaved rounds in this one run (median of 15).
    let mut ratios: Vec<f64> = (0..15)
        .map(|_| {
            let captured = through_capture(20_000).as_secs_f64();
            let in_memory = through_in_memory(&provider, &exporter, 20_000).as_secs_f64();
            captured / in_memory
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    println!(
        "captured span / InMemorySpanExporter span: {median:.3} (median of 15 interleaved rounds)"
    );
}
