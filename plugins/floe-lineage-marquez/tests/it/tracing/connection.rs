//! The spans of the connection check (also the health check): `GET /api/v1/namespaces`
//! against the loopback Marquez, a service that is not Marquez, and the hostile peer.

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use floe_core::SpanKind;
use floe_core::http::PeerError;
use floe_core::plugin::categories::LineageBackend as _;
use floe_core::plugin::{HealthStatus, Lifecycle as _};
use floe_core::telemetry::attr;
use floe_lineage_marquez::{MAX_ANSWER_BYTES, MarquezConfig, MarquezError, MarquezPlugin};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::hostile::{Behaviour, HostilePeer};
use floe_otel_testkit::http::LoopbackServer;
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};

use crate::peer::Marquez;
use crate::plugin;

const FAILED: &str = "the marquez connection check (GET /api/v1/namespaces) failed: ";

fn check_span() -> expect::SpanExpectation {
    expect::span("lineage.check_connection")
        .root()
        .scope("floe.lineage.marquez")
        .kind(SpanKind::Client)
        .floe_attributes()
        .attr(attr::SERVER_ADDRESS, "127.0.0.1")
        .has_attr(attr::SERVER_PORT)
}

#[tokio::test]
async fn the_connection_check_is_an_ok_client_span() {
    let secret = planted_secret();
    let marquez = Marquez::start(Some(&secret), &[]);
    let plugin = plugin(&marquez.url(), Some(&secret));
    let capture = Capture::start();

    plugin.check_connection().await.expect("a Marquez answers");
    assert!(plugin.health_check().await.is_healthy());

    capture.assert_count(check_span().ok().attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64), 2);
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_refused_key_is_an_unhealthy_error_span_naming_the_401() {
    let right = planted_secret();
    let wrong = planted_secret();
    let marquez = Marquez::start(Some(&right), &[]);
    let plugin = plugin(&marquez.url(), Some(&wrong));
    let capture = Capture::start();

    let error = plugin.check_connection().await.unwrap_err();
    let status = plugin.health_check().await;

    let expected = format!("{FAILED}{} refused the credentials (401)", marquez.server.addr());
    assert!(
        matches!(
            error,
            MarquezError::Connection { source: PeerError::Unauthorized { status: 401, .. } }
        ),
        "{error:?}"
    );
    assert!(error.to_string().starts_with(&expected), "{error}");
    let HealthStatus::Unhealthy { reason } = status else { panic!("{status:?}") };
    assert!(reason.starts_with(&expected), "{reason}");
    capture.assert_count(
        check_span()
            .error_containing(expected)
            .exception("MarquezError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 401_i64)
            .no_event("lineage.retry"),
        2,
    );
    for secret in [&right, &wrong] {
        capture
            .assert_secret_nowhere(secret, &[&error.to_string(), &format!("{error:?}"), &reason]);
    }
}

#[tokio::test]
async fn a_service_that_is_not_marquez_is_an_error_span() {
    let other = LoopbackServer::start(
        Router::new().route("/api/v1/namespaces", get(|| async { r#"{"status":"UP"}"# })),
    );
    let capture = Capture::start();

    let error = plugin(&other.url(""), None).check_connection().await.unwrap_err();

    assert!(matches!(error, MarquezError::Connection { source: PeerError::Malformed { .. } }));
    capture.assert_one(
        check_span()
            .error_description(format!(
                "{FAILED}{} sent a body that is not the expected JSON (wrong shape)",
                other.addr()
            ))
            .exception("MarquezError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
    );
}

/// Marquez pages the list (100 namespaces by default): an answer past
/// [`MAX_ANSWER_BYTES`] is refused without being read to its end.
#[tokio::test]
async fn an_answer_larger_than_the_limit_is_refused() {
    let entry = r#"{"name":"floe.analytics","ownerName":"floe"},"#;
    let huge = format!(
        r#"{{"namespaces":[{}{{"name":"last"}}]}}"#,
        entry.repeat(MAX_ANSWER_BYTES / entry.len() + 1)
    );
    let other = LoopbackServer::start(
        Router::new().route("/api/v1/namespaces", get(move || async move { huge.clone() })),
    );
    let capture = Capture::start();

    let error = plugin(&other.url(""), None).check_connection().await.unwrap_err();

    assert!(matches!(error, MarquezError::Connection { source: PeerError::TooLarge { .. } }));
    capture.assert_one(
        check_span()
            .error_containing(format!("larger than {MAX_ANSWER_BYTES} bytes"))
            .exception("MarquezError"),
    );
}

#[tokio::test]
async fn a_redirect_is_an_error_span_and_is_never_followed() {
    let peer = HostilePeer::start(Behaviour::Redirect { status: 302 });
    let secret = planted_secret();
    let capture = Capture::start();

    let error = plugin(&peer.url(""), Some(&secret)).check_connection().await.unwrap_err();

    assert!(matches!(error, MarquezError::Connection { source: PeerError::Redirected { .. } }));
    assert!(!peer.redirect_target_contacted(), "the key went to the other origin");
    capture.assert_one(
        check_span()
            .error_containing("answered with a redirect (302)")
            .exception("MarquezError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 302_i64),
    );
    capture.assert_no_secret(&secret);
}

#[tokio::test]
async fn a_backend_slower_than_the_timeout_is_an_error_span_within_it() {
    let peer = HostilePeer::start(Behaviour::Dribble);
    let mut config = MarquezConfig::new(peer.url(""));
    config.timeout_secs = 1;
    let plugin = MarquezPlugin::new(config).unwrap();
    let capture = Capture::start();
    let started = Instant::now();

    let status = plugin.health_check().await;

    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    let HealthStatus::Unhealthy { reason } = status else { panic!("{status:?}") };
    assert!(reason.ends_with("did not answer within 1s"), "{reason}");
    capture.assert_one(
        check_span()
            .error_containing("did not answer within 1s")
            .exception("MarquezError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
    );
}

#[tokio::test]
async fn an_unreachable_backend_is_an_unhealthy_error_span() {
    let addr = closed_port();
    let capture = Capture::start();

    let status = plugin(&format!("http://{addr}"), None).health_check().await;

    let expected = format!("{FAILED}cannot connect to {addr}");
    assert!(
        matches!(&status, HealthStatus::Unhealthy { reason } if reason.starts_with(&expected)),
        "{status:?}"
    );
    capture.assert_one(
        check_span()
            .error_containing(expected)
            .exception("MarquezError")
            .no_attr(attr::HTTP_RESPONSE_STATUS_CODE),
    );
    capture.assert_conforms();
}
