//! The spans of the Marquez plugin, driven against the spec-checked loopback Marquez and the
//! hostile peer: `lineage.emit` here, the connection check in [`connection`].

mod connection;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use floe_core::SpanKind;
use floe_core::http::PeerError;
use floe_core::plugin::categories::{LineageBackend as _, RunEventType};
use floe_core::telemetry::attr;
use floe_lineage_marquez::{EventError, MarquezError};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::hostile::{Behaviour, HostilePeer};
use floe_otel_testkit::http::LoopbackServer;
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};

use crate::peer::Marquez;
use crate::{RUN_ID, plugin, run_event};

/// An API key no pattern of the sanitizer recognises: only the scrub of what the call
/// sent can keep it out of an error.
const PLAIN_KEY: &str = "orchard-lantern-harbour-7315";

/// The password of Marquez's own database, which the plugin never sends.
const DB_PASSWORD: &str = "tiger-lattice-0419";

fn emit_span(event_type: &str) -> expect::SpanExpectation {
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
async fn every_accepted_event_type_is_an_ok_emit_span_with_the_lineage_attributes() {
    let secret = planted_secret();
    let marquez = Marquez::start(Some(&secret), &[]);
    let plugin = plugin(&marquez.url(), Some(&secret));
    let capture = Capture::start();

    for event_type in RunEventType::ALL {
        plugin.emit(&run_event(event_type)).await.expect("accepted");
    }

    for event_type in RunEventType::ALL {
        capture.assert_one(
            emit_span(event_type.as_str())
                .ok()
                .attr(attr::HTTP_RESPONSE_STATUS_CODE, 201_i64)
                .no_event("lineage.retry"),
        );
    }
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
async fn a_refused_api_key_is_a_401_error_span_never_retried_and_never_recorded() {
    let right = planted_secret();
    let wrong = planted_secret();
    let marquez = Marquez::start(Some(&right), &[]);
    let capture = Capture::start();

    let error = plugin(&marquez.url(), Some(&wrong))
        .emit(&run_event(RunEventType::Abort))
        .await
        .unwrap_err();

    let expected = format!(
        "cannot send the ABORT event to marquez: {} refused the credentials (401)",
        marquez.server.addr()
    );
    assert!(error.to_string().starts_with(&expected), "{error}");
    assert!(matches!(error, MarquezError::Emit { source: PeerError::Unauthorized { .. }, .. }));
    capture.assert_one(
        emit_span("ABORT")
            .error_containing(expected)
            .exception("MarquezError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 401_i64)
            .no_event("lineage.retry"),
    );
    assert_eq!(marquez.server.requests().len(), 1);
    for secret in [&right, &wrong] {
        capture.assert_secret_nowhere(secret, &[&error.to_string(), &format!("{error:?}")]);
    }
}

#[tokio::test]
async fn an_event_marquez_refuses_is_an_error_span_with_its_words() {
    let marquez = Marquez::start(None, &[]);
    let mut event = run_event(RunEventType::Complete);
    event.job_facets["jobType"].as_object_mut().unwrap().remove("processingType");
    let capture = Capture::start();

    let error = plugin(&marquez.url(), None).emit(&event).await.unwrap_err();

    assert!(matches!(
        error,
        MarquezError::Emit { source: PeerError::Refused { status: 422, .. }, .. }
    ));
    let expected = format!(
        "cannot send the COMPLETE event to marquez: {} refused the request (422): ",
        marquez.server.addr()
    );
    let span = capture.assert_one(
        emit_span("COMPLETE")
            .error_containing(expected)
            .exception("MarquezError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 422_i64),
    );
    let description = format!("{:?}", span.status);
    assert!(description.contains("/job/facets/jobType") && description.contains("processingType"));
    capture.assert_conforms();
}

#[tokio::test]
async fn a_failing_marquez_is_an_error_span_with_the_status() {
    let marquez = Marquez::start(None, &[500]);
    let capture = Capture::start();

    let error =
        plugin(&marquez.url(), None).emit(&run_event(RunEventType::Fail)).await.unwrap_err();

    assert!(matches!(
        error,
        MarquezError::Emit { source: PeerError::Failed { status: 500, .. }, .. }
    ));
    capture.assert_one(
        emit_span("FAIL")
            .error_containing(format!(
                "cannot send the FAIL event to marquez: {} failed to answer (500)",
                marquez.server.addr()
            ))
            .exception("MarquezError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 500_i64),
    );
}

/// A gateway in front of Marquez that quotes the key it did not know, with no `Bearer`
/// before it for the sanitizer's patterns to find: the key is scrubbed from the answer
/// because the call sent it.
#[tokio::test]
async fn an_api_key_quoted_in_a_refusal_reaches_no_span_and_no_error() {
    let gateway = LoopbackServer::start(Router::new().route(
        "/api/v1/lineage",
        post(|headers: HeaderMap| async move {
            let sent = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
            let key = sent.trim_start_matches("Bearer ").to_owned();
            (StatusCode::BAD_REQUEST, format!("unknown api key {key} for this tenant"))
        }),
    ));
    let capture = Capture::start();

    let error = plugin(&gateway.url(""), Some(PLAIN_KEY))
        .emit(&run_event(RunEventType::Start))
        .await
        .unwrap_err();

    assert!(matches!(
        error,
        MarquezError::Emit { source: PeerError::Refused { status: 400, .. }, .. }
    ));
    capture.assert_one(
        emit_span("START")
            .error_containing(
                "refused the request (400): unknown api key <redacted> for this tenant",
            )
            .exception("MarquezError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 400_i64),
    );
    capture.assert_secret_nowhere(PLAIN_KEY, &[&error.to_string(), &format!("{error:?}")]);
}

/// Marquez failing on its database and saying so with the JDBC URL, password included: a
/// credential the plugin never sent, so only the sanitizer keeps it out of the span and
/// the error.
#[tokio::test]
async fn a_database_password_in_marquez_s_failure_reaches_no_span_and_no_error() {
    let marquez = LoopbackServer::start(Router::new().route(
        "/api/v1/lineage",
        post(|| async {
            let message = format!(
                "Unable to acquire JDBC connection: jdbc:postgresql://db:5432/marquez?user=marquez&password={DB_PASSWORD}"
            );
            (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(serde_json::json!({ "code": 500, "message": message })))
        }),
    ));
    let capture = Capture::start();

    let error = plugin(&marquez.url(""), Some(PLAIN_KEY))
        .emit(&run_event(RunEventType::Complete))
        .await
        .unwrap_err();

    assert!(
        matches!(error, MarquezError::Emit { source: PeerError::Failed { status: 500, .. }, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("failed to answer (500): "), "{error}");
    assert!(error.to_string().contains("Unable to acquire JDBC connection"), "{error}");
    capture.assert_one(
        emit_span("COMPLETE")
            .error_containing("Unable to acquire JDBC connection")
            .exception("MarquezError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 500_i64),
    );
    for secret in [DB_PASSWORD, PLAIN_KEY] {
        capture.assert_secret_nowhere(secret, &[&error.to_string(), &format!("{error:?}")]);
    }
}

#[tokio::test]
async fn a_redirect_is_an_error_span_and_is_never_followed() {
    let peer = HostilePeer::start(Behaviour::Redirect { status: 307 });
    let secret = planted_secret();
    let capture = Capture::start();

    let error = plugin(&peer.url(""), Some(&secret))
        .emit(&run_event(RunEventType::Start))
        .await
        .unwrap_err();

    assert!(matches!(
        error,
        MarquezError::Emit { source: PeerError::Redirected { status: 307, .. }, .. }
    ));
    assert!(!peer.redirect_target_contacted(), "the event and the key went to the other origin");
    capture.assert_one(
        emit_span("START")
            .error_containing("answered with a redirect (307)")
            .exception("MarquezError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 307_i64),
    );
    capture.assert_no_secret(&secret);
}

#[tokio::test]
async fn a_marquez_slower_than_the_timeout_is_an_error_span_within_it() {
    let peer = HostilePeer::start(Behaviour::Stall);
    let mut config = floe_lineage_marquez::MarquezConfig::new(peer.url(""));
    config.timeout_secs = 1;
    let plugin = floe_lineage_marquez::MarquezPlugin::new(config).unwrap();
    let capture = Capture::start();
    let started = std::time::Instant::now();

    let error = plugin.emit(&run_event(RunEventType::Running)).await.unwrap_err();

    assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
    assert!(matches!(error, MarquezError::Emit { source: PeerError::TimedOut { .. }, .. }));
    capture.assert_one(
        emit_span("RUNNING")
            .error_containing("did not answer within 1s")
            .exception("MarquezError")
            .no_attr(attr::HTTP_RESPONSE_STATUS_CODE),
    );
}

#[tokio::test]
async fn an_invalid_event_is_an_error_span_and_nothing_is_sent() {
    let marquez = Marquez::start(None, &[]);
    let mut event = run_event(RunEventType::Other);
    event.run_id = "run-42".to_owned();
    let capture = Capture::start();

    let error = plugin(&marquez.url(), None).emit(&event).await.unwrap_err();

    assert!(matches!(error, MarquezError::Event(EventError::RunId(_))), "{error:?}");
    capture.assert_one(
        expect::span("lineage.emit")
            .root()
            .floe_attributes()
            .attr(attr::LINEAGE_EVENT_TYPE, "OTHER")
            .attr(attr::LINEAGE_RUN_ID, "run-42")
            .error_description("invalid run event: run id \"run-42\" is not a UUID")
            .exception("MarquezError")
            .no_attr(attr::HTTP_RESPONSE_STATUS_CODE),
    );
    assert!(marquez.server.requests().is_empty());
}

#[tokio::test]
async fn an_unreachable_backend_is_an_error_span_and_the_key_leaks_nowhere() {
    let secret = planted_secret();
    let plugin = plugin(&format!("http://{}", closed_port()), Some(&secret));
    let capture = Capture::start();

    let error = plugin.emit(&run_event(RunEventType::Start)).await.unwrap_err();

    assert!(matches!(error, MarquezError::Emit { source: PeerError::Unreachable { .. }, .. }));
    assert_text_clean("the transport config", &plugin.transport_config().to_string(), &secret);
    capture.assert_one(
        emit_span("START")
            .error_containing("cannot connect to 127.0.0.1")
            .exception("MarquezError")
            .event(expect::event("lineage.retry").attr(attr::LINEAGE_ATTEMPT, 2_i64)),
    );
    capture.assert_secret_nowhere(&secret, &[&error.to_string(), &format!("{error:?}")]);
    capture.assert_conforms();
}
