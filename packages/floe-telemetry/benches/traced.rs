//! `#[traced]` against the same span written by hand with `DomainSpan`, and against no
//! span at all, with a real SDK provider whose processor discards ended spans (the testkit
//! is not installed). Ends with the `#[traced]` / hand-written ratio of this run, which
//! is robust to machine load in a way criterion's separate runs are not.
//!
//! `cargo bench -p floe-core --bench traced`
#![expect(clippy::print_stdout, reason = "the bench reports its measured ratio on stdout")]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use floe_telemetry::traced;
use floe_telemetry::{DomainSpan, Operation, TracerFactory};
use opentelemetry::Context;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, Span, SpanData, SpanProcessor};

const TRACER_NAME: &str = "floe.bench.traced";

#[derive(Clone, Copy, Debug)]
struct Work;

impl Operation for Work {
    fn span_name(self) -> &'static str {
        "bench.work"
    }
}

#[derive(Debug, thiserror::Error)]
#[error("odd input {0}")]
struct Odd(u64);

/// A recording pipeline that keeps nothing: every span is built, ended and dropped.
#[derive(Debug)]
struct Discard;

impl SpanProcessor for Discard {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        black_box(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}

/// The operation's own work, the same in every variant.
fn body(x: u64) -> Result<u64, Odd> {
    let y = black_box(x).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(7);
    if y == 1 { Err(Odd(x)) } else { Ok(y) }
}

#[traced(op = Work)]
fn with_traced(x: u64) -> Result<u64, Odd> {
    body(x)
}

fn by_hand(x: u64) -> Result<u64, Odd> {
    let span = DomainSpan::start(TRACER_NAME, Work);
    let result = {
        let _attached = span.context().clone().attach();
        body(x)
    };
    span.end_with(&result);
    result
}

fn round(variant: fn(u64) -> Result<u64, Odd>, iters: u64) -> Duration {
    let start = Instant::now();
    for i in 0..iters {
        let _ = black_box(variant(black_box(i)));
    }
    start.elapsed()
}

fn main() {
    let provider = SdkTracerProvider::builder().with_span_processor(Discard).build();
    TracerFactory::global().install(provider);

    let mut c = Criterion::default().configure_from_args();
    c.bench_function("traced/no_span", |b| b.iter_custom(|n| round(body, n)));
    c.bench_function("traced/hand_written_domain_span", |b| b.iter_custom(|n| round(by_hand, n)));
    c.bench_function("traced/traced_macro", |b| b.iter_custom(|n| round(with_traced, n)));
    c.final_summary();

    // The ratio, from interleaved rounds in this one run: each round times the two
    // variants in A-B-B-A order, so a drift in machine load hits both alike (median of 21).
    let mut ratios: Vec<f64> = (0..21)
        .map(|_| {
            let mut traced = round(with_traced, 25_000);
            let mut hand = round(by_hand, 25_000);
            hand += round(by_hand, 25_000);
            traced += round(with_traced, 25_000);
            traced.as_secs_f64() / hand.as_secs_f64()
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    println!("#[traced] / hand-written DomainSpan: {median:.3} (median of 21 interleaved rounds)");
}
