//! Unit tests of the per-thread tracer copies: a provider installed, or telemetry disabled,
//! is seen by the very next span, and tracer names are interned once.

use opentelemetry::trace::{Span as _, Tracer as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};

use super::{TracerFactory, interned};

fn provider() -> (SdkTracerProvider, InMemorySpanExporter) {
    let exporter = InMemorySpanExporter::default();
    (SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build(), exporter)
}

fn emit(factory: &'static TracerFactory, name: &str) {
    factory.cached_tracer(name).start("x.y").end();
}

#[test]
fn a_thread_copy_never_outlives_the_provider_it_came_from() {
    let factory: &'static TracerFactory = Box::leak(Box::new(TracerFactory::new()));
    emit(factory, "floe.copy.test");
    let (first, first_spans) = provider();
    factory.install(first.clone());
    emit(factory, "floe.copy.test");
    emit(factory, "floe.copy.test");
    assert_eq!(
        first_spans.get_finished_spans().unwrap().len(),
        2,
        "copied tracer reaches the provider"
    );
    let (second, second_spans) = provider();
    factory.install(second.clone());
    emit(factory, "floe.copy.test");
    assert_eq!(
        first_spans.get_finished_spans().unwrap().len(),
        2,
        "the old provider saw nothing more"
    );
    assert_eq!(
        second_spans.get_finished_spans().unwrap().len(),
        1,
        "the next span reached the new one"
    );
    factory.disable();
    emit(factory, "floe.copy.test");
    assert_eq!(second_spans.get_finished_spans().unwrap().len(), 1, "disabled: nothing recorded");
}

#[test]
fn copies_are_kept_per_factory_and_per_name() {
    let one: &'static TracerFactory = Box::leak(Box::new(TracerFactory::new()));
    let two: &'static TracerFactory = Box::leak(Box::new(TracerFactory::new()));
    let (p1, spans1) = provider();
    let (p2, spans2) = provider();
    one.install(p1.clone());
    two.install(p2.clone());
    emit(one, "floe.a");
    emit(two, "floe.b");
    emit(one, "floe.c");
    let scopes = |spans: &InMemorySpanExporter| -> Vec<String> {
        spans
            .get_finished_spans()
            .unwrap()
            .iter()
            .map(|s| s.instrumentation_scope.name().to_owned())
            .collect()
    };
    assert_eq!(scopes(&spans1), ["floe.a", "floe.c"]);
    assert_eq!(scopes(&spans2), ["floe.b"]);
}

#[test]
fn a_tracer_name_is_interned_once() {
    let name = format!("floe.interned.{}", std::process::id());
    assert!(std::ptr::eq(interned(&name), interned(&name.clone())));
    assert_eq!(interned(&name), name);
}
