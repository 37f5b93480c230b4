//! What the testkit prevents.
//!
//! The usual set-up shares one `InMemorySpanExporter` between all tests of a binary. Run
//! in parallel (`cargo test`'s default), each test then reads the other tests' spans: a
//! test can pass on a span it never produced. Two threads stand in for two parallel tests;
//! a barrier makes the interleaving certain rather than likely.

use std::sync::Barrier;

use floe_otel_testkit::{Capture, expect};
use floe_telemetry::{DomainSpan, Operation};
use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};

#[derive(Clone, Copy)]
struct Named(&'static str);

impl Operation for Named {
    fn span_name(self) -> &'static str {
        self.0
    }
}

#[test]
fn a_shared_in_memory_exporter_mixes_spans_of_parallel_tests() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build();
    let barrier = Barrier::new(2);
    let seen: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = ["test_a.work", "test_b.work"]
            .into_iter()
            .map(|name| {
                let (provider, exporter, barrier) = (&provider, &exporter, &barrier);
                scope.spawn(move || {
                    provider.tracer("naive").start(name).end();
                    barrier.wait();
                    exporter
                        .get_finished_spans()
                        .unwrap()
                        .iter()
                        .map(|s| s.name.to_string())
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for names in &seen {
        assert_eq!(names.len(), 2, "each naive test sees both tests' spans: {names:?}");
    }
}

#[test]
fn captures_keep_the_same_parallel_tests_apart() {
    let barrier = Barrier::new(2);
    std::thread::scope(|scope| {
        for name in ["test_a.work", "test_b.work"] {
            let barrier = &barrier;
            scope.spawn(move || {
                let capture = Capture::start();
                DomainSpan::start("floe.test.naive", Named(name)).succeed();
                barrier.wait();
                capture.assert_exactly([expect::span(name)]);
            });
        }
    });
}
