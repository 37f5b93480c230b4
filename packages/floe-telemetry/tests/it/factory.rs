//! The tracer factory: one cached tracer per name, no-op until a provider is installed.

use floe_telemetry::TracerFactory;
use opentelemetry::trace::{Span as _, Tracer as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};

fn provider() -> (SdkTracerProvider, InMemorySpanExporter) {
    let exporter = InMemorySpanExporter::default();
    (SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build(), exporter)
}

#[test]
fn a_new_factory_hands_out_no_op_tracers_that_record_nothing() {
    let factory = TracerFactory::new();
    assert!(!factory.is_enabled());
    let mut span = factory.tracer("floe.alert.slack").start("alert.send");
    assert!(!span.is_recording());
    span.end();
}

#[test]
fn tracers_are_cached_once_per_name_and_carry_their_scope() {
    let factory = TracerFactory::new();
    let (provider, exporter) = provider();
    factory.install(provider);
    for _ in 0..3 {
        factory.tracer("floe.alert.slack").start("alert.send").end();
    }
    factory.tracer("floe.alert.email").start("alert.send").end();
    assert_eq!(factory.cached_tracers(), 2);
    let scopes: Vec<String> = exporter
        .get_finished_spans()
        .unwrap()
        .iter()
        .map(|s| s.instrumentation_scope.name().to_owned())
        .collect();
    assert_eq!(
        scopes,
        ["floe.alert.slack", "floe.alert.slack", "floe.alert.slack", "floe.alert.email"]
    );
}

#[test]
fn installing_a_provider_drops_tracers_cached_for_the_previous_one() {
    let factory = TracerFactory::new();
    let before = factory.tracer("floe.catalog.polaris");
    assert_eq!(factory.cached_tracers(), 1);
    let (provider, exporter) = provider();
    // Keep a handle: dropping the last one shuts the provider down and clears the exporter.
    factory.install(provider.clone());
    assert_eq!(factory.cached_tracers(), 0);
    before.start("catalog.connect").end();
    assert!(
        exporter.get_finished_spans().unwrap().is_empty(),
        "a tracer taken before install stays a no-op"
    );
    factory.tracer("floe.catalog.polaris").start("catalog.connect").end();
    assert_eq!(
        exporter.get_finished_spans().unwrap().len(),
        1,
        "asking again reaches the new provider"
    );
    factory.disable();
    factory.tracer("floe.catalog.polaris").start("catalog.connect").end();
    assert_eq!(exporter.get_finished_spans().unwrap().len(), 1, "disabled again");
}

#[test]
fn the_factory_is_safe_to_share_between_threads() {
    let factory = TracerFactory::new();
    let (provider, exporter) = provider();
    factory.install(provider);
    std::thread::scope(|scope| {
        for i in 0..8 {
            let factory = &factory;
            scope.spawn(move || {
                for _ in 0..50 {
                    factory.tracer(&format!("floe.t{}", i % 4)).start("x.y").end();
                }
            });
        }
    });
    assert_eq!(factory.cached_tracers(), 4);
    assert_eq!(exporter.get_finished_spans().unwrap().len(), 400);
}

#[test]
fn two_factories_on_one_thread_never_hand_out_each_others_tracers() {
    // Each thread caches the tracers it was handed, keyed by factory: the same name from a
    // disabled factory must stay a no-op after an enabled one handed it out on this thread.
    let (enabled, disabled) = (TracerFactory::new(), TracerFactory::new());
    let (provider, exporter) = provider();
    enabled.install(provider.clone());
    enabled.tracer("floe.alert.slack").start("alert.send").end();
    let mut span = disabled.tracer("floe.alert.slack").start("alert.send");
    assert!(!span.is_recording(), "the disabled factory's tracer records");
    span.end();
    enabled.tracer("floe.alert.slack").start("alert.send").end();
    assert_eq!(exporter.get_finished_spans().unwrap().len(), 2);
}
