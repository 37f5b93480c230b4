//! The rstest fixtures.

use floe_otel_testkit::fixtures::{detached_spans, planted_secret, spans};
use floe_otel_testkit::{Capture, expect};
use floe_telemetry::DomainSpan;
use rstest::rstest;

use crate::support::{DemoOp, TRACER};

#[rstest]
fn the_spans_fixture_is_attached(spans: Capture) {
    DomainSpan::start(TRACER, DemoOp::Send).succeed();
    spans.assert_one(expect::span("alert.send").root().ok());
}

#[rstest]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_detached_fixture_captures_bound_tasks(detached_spans: Capture) {
    tokio::spawn(
        detached_spans.bind(async { DomainSpan::start(TRACER, DemoOp::Deliver).succeed() }),
    )
    .await
    .unwrap();
    detached_spans.assert_exactly([expect::span("alert.deliver").root()]);
}

#[rstest]
fn planted_secrets_differ_and_carry_the_sentinel(
    #[from(planted_secret)] first: String,
    #[from(planted_secret)] second: String,
) {
    assert_ne!(first, second);
    assert!(first.starts_with(floe_otel_testkit::strategy::SENTINEL));
}
