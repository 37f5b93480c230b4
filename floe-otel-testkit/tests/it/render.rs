//! The span-tree renderer is deterministic: sorted attributes, ids by position, no times.

use floe_otel_testkit::{Capture, render};
use opentelemetry::KeyValue;
use opentelemetry::trace::{Span as _, Status, TraceContextExt as _, Tracer as _};

use crate::support::TRACER;

fn traced_send() -> Capture {
    let capture = Capture::start();
    let tracer = floe_telemetry::TracerFactory::global().tracer(TRACER);
    let mut root = tracer.start("alert.send");
    root.set_attributes([KeyValue::new("b.key", 2_i64), KeyValue::new("a.key", "x")]);
    root.set_attribute(KeyValue::new("duration_ms", 12.5));
    let cx = opentelemetry::Context::current_with_span(root);
    {
        let _attached = cx.clone().attach();
        let mut child = tracer.start("alert.deliver");
        child.add_event("retry", vec![KeyValue::new("attempt", 1_i64)]);
        child.set_attribute(KeyValue::new("error.type", "rejected"));
        child.add_event(
            "exception",
            vec![
                KeyValue::new("exception.message", "peer answered 503"),
                KeyValue::new("exception.type", "rejected"),
            ],
        );
        child.set_status(Status::error("peer answered 503"));
        child.end();
    }
    cx.span().set_status(Status::Ok);
    cx.span().end();
    capture
}

#[test]
fn renders_a_sorted_tree_without_ids_or_times() {
    let capture = traced_send();
    let options = render::RenderOptions::default().volatile("duration_ms");
    insta::assert_snapshot!(render::span_tree_with(&capture.spans(), &options), @r#"
    #1 alert.send [internal] ok (floe.test.kit)
        a.key = "x"
        b.key = 2
        duration_ms = <f64>
      #2 alert.deliver [internal] error "peer answered 503" (floe.test.kit)
          error.type = "rejected"
          event retry
            attempt = 1
          event exception
            exception.message = "peer answered 503"
            exception.type = "rejected"
    "#);
}

/// With floe support, `assert_span_tree!` keeps the snapshot in the workspace's top-level
/// `snapshots/` directory, named without a module prefix (the example crate under
/// `examples/` shows insta's own convention for every other crate).
#[cfg(feature = "floe")]
#[test]
fn with_floe_support_snapshots_land_in_the_workspace_snapshots_directory() {
    let capture = traced_send();
    let options = render::RenderOptions::default().volatile("duration_ms");
    floe_otel_testkit::assert_span_tree!("testkit__render_tree", capture.spans(), options);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    assert!(root.join("snapshots/testkit__render_tree.snap").is_file());
    assert!(!std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots").exists());
}

#[test]
fn rendering_twice_gives_the_same_text() {
    let first = render::span_tree(&traced_send().spans());
    let second = render::span_tree(&traced_send().spans());
    assert_eq!(first, second);
}

#[test]
fn tracing_events_below_the_level_are_hidden_and_counted() {
    let capture = Capture::start();
    tracing::info_span!("sync", otel.name = "stock.sync").in_scope(|| {
        tracing::trace!("polling");
        tracing::debug!("cache miss");
        tracing::warn!("slow supplier");
    });
    let spans = capture.spans();
    let all = render::span_tree(&spans);
    assert!(all.contains("cache miss") && all.contains("polling"), "{all}");
    let options = render::RenderOptions::default().events_from(tracing::Level::INFO);
    let trimmed = render::span_tree_with(&spans, &options);
    assert!(!trimmed.contains("cache miss") && !trimmed.contains("polling"), "{trimmed}");
    assert!(trimmed.contains("slow supplier"), "{trimmed}");
    assert!(trimmed.contains("(2 `tracing` events below INFO hidden)"), "{trimmed}");
}

#[test]
fn an_empty_capture_renders_as_no_spans() {
    assert_eq!(render::span_tree(&Capture::start().spans()), "(no spans)\n");
}
