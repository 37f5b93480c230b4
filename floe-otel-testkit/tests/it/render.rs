//! The span-tree renderer is deterministic: sorted attributes, ids by position, no times.

use floe_otel_testkit::{Capture, render};
use floe_telemetry::{DomainSpan, SanitizedMessage};
use opentelemetry::KeyValue;

use crate::support::{DemoOp, TRACER};

fn traced_send() -> Capture {
    let capture = Capture::start();
    let root = DomainSpan::start_with(
        TRACER,
        DemoOp::Send,
        [KeyValue::new("b.key", 2_i64), KeyValue::new("a.key", "x")],
    );
    root.set_attribute(KeyValue::new("duration_ms", 12.5));
    {
        let _attached = root.context().clone().attach();
        let child = DomainSpan::start(TRACER, DemoOp::Deliver);
        child.add_event("retry", vec![KeyValue::new("attempt", 1_i64)]);
        child.fail_soft("rejected", SanitizedMessage::from_static("peer answered 503"));
    }
    root.succeed();
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
        floe.namespace = "floe-test"
        floe.product.name = "testkit"
        floe.product.version = "0.0.0"
      #2 alert.deliver [internal] error "peer answered 503" (floe.test.kit)
          error.type = "rejected"
          floe.namespace = "floe-test"
          floe.product.name = "testkit"
          floe.product.version = "0.0.0"
          event retry
            attempt = 1
          event exception
            exception.message = "peer answered 503"
            exception.type = "rejected"
    "#);
}

#[test]
fn rendering_twice_gives_the_same_text() {
    let first = render::span_tree(&traced_send().spans());
    let second = render::span_tree(&traced_send().spans());
    assert_eq!(first, second);
}

#[test]
fn an_empty_capture_renders_as_no_spans() {
    assert_eq!(render::span_tree(&Capture::start().spans()), "(no spans)\n");
}
