//! The spans of the Marquez plugin, driven against the loopback Marquez.

use floe_core::SpanKind;
use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::{LineageBackend as _, RunEventType};
use floe_core::telemetry::attr;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};

use crate::peer::Marquez;
use crate::{RUN_ID, plugin, run_event};

fn emit_span(event_type: &str) -> floe_otel_testkit::expect::SpanExpectation {
    expect::span("lineage.emit")
        .root()
        .scope("floe.lineage.marquez")
        .kind(SpanKind::Client)
        .floe_attributes()
        .attr(attr::LINEAGE_JOB_NAME, "dbt.analytics.fct_orders")
        .attr(attr::LINEAGE_EVENT_TYPE, event_type.to_owned())
        .attr(attr::LINEAGE_RUN_ID, RUN_ID)
        .attr(attr::LINEAGE_NAMESPACE, "floe")
        .attr(attr::SERVER_ADDRESS, "127.0.0.1")
        .has_attr(attr::SERVER_PORT)
}

#[tokio::test]
async fn an_accepted_event_is_an_ok_emit_span_with_the_lineage_attributes() {
    let secret = planted_secret();
    let marquez = Marquez::start(Some(&secret), &[]);
    let plugin = plugin(&marquez.url(), Some(&secret));
    let capture = Capture::start();

    plugin.emit(&run_event(RunEventType::Complete)).await.expect("accepted");

    capture.assert_one(
        emit_span("COMPLETE")
            .ok()
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 201_i64)
            .no_event("lineage.retry"),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_503_is_retried_as_a_span_event() {
    let marquez = Marquez::start(None, &[503]);
    let capture = Capture::start();

    plugin(&marquez.url(), None)
        .emit(&run_event(RunEventType::Start))
        .await
        .expect("accepted on the retry");

    capture.assert_one(
        emit_span("START").ok().event(
            expect::event("lineage.retry")
                .attr(attr::LINEAGE_ATTEMPT, 1_i64)
                .attr(attr::HTTP_RESPONSE_STATUS_CODE, 503_i64),
        ),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn a_rejected_event_ends_the_span_as_an_error() {
    let marquez = Marquez::start(None, &[422]);
    let capture = Capture::start();

    plugin(&marquez.url(), None).emit(&run_event(RunEventType::Fail)).await.unwrap_err();

    capture.assert_one(
        emit_span("FAIL")
            .error_containing("rejected the request with status 422")
            .exception("MarquezError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 422_i64),
    );
}

#[tokio::test]
async fn an_unreachable_backend_is_an_error_span_and_the_key_leaks_nowhere() {
    let secret = planted_secret();
    let url = format!("http://floe:{secret}@{}", closed_port());
    let plugin = plugin(&url, Some(&secret));
    let capture = Capture::start();

    let error = plugin.emit(&run_event(RunEventType::Start)).await.unwrap_err();
    let unhealthy = plugin.health_check().await;

    assert_text_clean("the error", &format!("{error} {error:?}"), &secret);
    assert!(!unhealthy.is_healthy());
    assert_text_clean("the health status", &format!("{unhealthy:?}"), &secret);
    assert_text_clean("the transport config", &plugin.transport_config().to_string(), &secret);
    capture.assert_one(
        emit_span("START")
            .error_containing("cannot reach 127.0.0.1")
            .event(expect::event("lineage.retry").attr(attr::LINEAGE_ATTEMPT, 2_i64)),
    );
    capture.assert_one(
        expect::span("lineage.check_connection").root().error_containing("cannot reach 127.0.0.1"),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
    for line in capture.logs() {
        assert_text_clean("a log line", &line, &secret);
    }
}

#[tokio::test]
async fn the_connection_check_is_an_ok_client_span() {
    let marquez = Marquez::start(None, &[]);
    let capture = Capture::start();

    assert!(plugin(&marquez.url(), None).health_check().await.is_healthy());

    capture.assert_one(
        expect::span("lineage.check_connection")
            .root()
            .scope("floe.lineage.marquez")
            .kind(SpanKind::Client)
            .ok()
            .attr(attr::SERVER_ADDRESS, "127.0.0.1")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
    );
    capture.assert_conforms();
}
