//! A domain span against the OpenTelemetry SDK's floor: `DomainSpan::start_with(..)` then
//! `succeed()`, against a raw SDK span with the same name, kind, attributes and status,
//! on the same provider (the batch span processor, an exporter that discards), interleaved
//! in one run. Prints `ratio <DomainSpan / raw>` (target: at most 1.2, issue 22).
//!
//! The raw side is what the best hand-written instrumentation would do: it holds its
//! `SdkTracer` (same instrumentation scope) and a prebuilt `Vec<KeyValue>` (the
//! `FloeSpanAttributes` of the process default, each value a `&'static str`, then the
//! operation's own attributes), cloned per span because the SDK takes attributes by value.
//! Static values are the cheapest form there is: a clone copies a pointer, where the
//! reference-counted strings of `to_key_values()` cost an atomic update per span on each
//! side of the export thread. The domain side looks its tracer up by name, reads the
//! `FloeSpanAttributes` of the current context (the process default here, as in production,
//! which it interns), keeps the parent context for children it might have, and ends
//! through `DomainSpan`; this crate's fault-injection check (one atomic load per span) is
//! compiled in, as in every test build.
//!
//! Both variants are functions of their own (`#[inline(never)]`), so that a profiler
//! (`valgrind --tool=callgrind`, `perf`) attributes each one's cost to it.
//!
//! `cargo bench -p floe-telemetry --bench span_floor`
#![expect(clippy::print_stdout, reason = "the bench reports its measured ratio on stdout")]

use std::hint::black_box;
use std::time::{Duration, Instant};

use floe_telemetry::ops::CatalogOp;
use floe_telemetry::{
    DomainSpan, FloeSpanAttributes, KeyValue, Operation as _, TracerFactory, attr,
};
use opentelemetry::InstrumentationScope;
use opentelemetry::trace::{Span as _, Status, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider, SpanData, SpanExporter};

const TRACER_NAME: &str = "floe.bench.span_floor";
const OP: CatalogOp = CatalogOp::LoadTable;

/// Interleaved rounds (odd, for the median).
const ROUNDS: usize = 41;
/// Spans per variant per half-round.
const SPANS: u32 = 20_000;

/// An exporter that drops every batch: the cost measured is the span path's and the
/// SDK's, not a collector's.
#[derive(Debug)]
struct Discard;

impl SpanExporter for Discard {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        drop(black_box(batch));
        Ok(())
    }
}

/// The operation's own attributes, as a plugin passes them.
fn category() -> [KeyValue; 2] {
    [KeyValue::new(attr::CATALOG_NAMESPACE, "bronze"), KeyValue::new(attr::CATALOG_TABLE, "orders")]
}

#[inline(never)]
fn domain() {
    DomainSpan::start_with(TRACER_NAME, OP, category()).succeed();
}

struct Raw {
    tracer: SdkTracer,
    attributes: Vec<KeyValue>,
}

impl Raw {
    fn new(provider: &SdkTracerProvider) -> Self {
        let tracer = provider.tracer_with_scope(InstrumentationScope::builder(TRACER_NAME).build());
        let mut attributes: Vec<KeyValue> = FloeSpanAttributes::process_default()
            .to_key_values()
            .into_iter()
            .map(|kv| {
                let value: &'static str =
                    Box::leak(kv.value.as_str().into_owned().into_boxed_str());
                KeyValue::new(kv.key, value)
            })
            .collect();
        attributes.extend(category());
        Self { tracer, attributes }
    }

    #[inline(never)]
    fn span(&self) {
        let mut span = self
            .tracer
            .span_builder(OP.span_name())
            .with_kind(OP.span_kind())
            .with_attributes(self.attributes.clone())
            .start(&self.tracer);
        span.set_status(Status::Ok);
        span.end();
    }
}

fn time(spans: u32, mut variant: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..spans {
        variant();
    }
    start.elapsed()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    // `cargo bench` passes `--bench`; without it (`cargo test --benches`), or with `--test`
    // (CI's one quick pass), the bench runs a few spans and says nothing of the ratio.
    let quick = !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test");
    let provider = SdkTracerProvider::builder().with_batch_exporter(Discard).build();
    TracerFactory::global().install(provider.clone());
    FloeSpanAttributes::set_process_default(
        FloeSpanAttributes::new("analytics").with_product("orders", "1.4.2").with_mode("batch"),
    );
    let raw = Raw::new(&provider);
    let (rounds, spans) = if quick { (1, 100) } else { (ROUNDS, SPANS) };

    // Warm-up: tracer caches, allocator, the export thread.
    time(spans, domain);
    time(spans, || raw.span());

    // Each round times the variants A-B-B-A, so a drift in machine load hits both alike.
    let mut ratios = Vec::with_capacity(rounds);
    let mut domain_ns = Vec::with_capacity(rounds);
    let mut raw_ns = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let mut d = time(spans, domain);
        let mut r = time(spans, || raw.span());
        r += time(spans, || raw.span());
        d += time(spans, domain);
        let per_span = |t: Duration| t.as_secs_f64() * 1e9 / f64::from(2 * spans);
        domain_ns.push(per_span(d));
        raw_ns.push(per_span(r));
        ratios.push(d.as_secs_f64() / r.as_secs_f64());
    }
    if quick {
        let _ = provider.shutdown();
        return;
    }
    let median = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    println!(
        "DomainSpan::start_with + succeed: {:.0} ns; raw SDK span: {:.0} ns (medians of {rounds} interleaved rounds of {} spans each)",
        median(&mut domain_ns),
        median(&mut raw_ns),
        2 * spans
    );
    println!("ratio {:.3}", median(&mut ratios));
    let _ = provider.shutdown();
}
