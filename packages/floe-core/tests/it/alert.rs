//! Alert deliveries over HTTP on the peer-call path: refusals scrubbed of every
//! credential the request sent before they are sanitized, redirects never followed,
//! bounded answers, truthful `alert.delivery_status` and `alert.retry` events.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use floe_core::http::{PeerError, RetryPolicy};
use floe_core::plugin::categories::{
    AlertTarget, DeliveryFailure as _, DeliveryStatus, HttpDeliveryError, WebhookUrl, deliver_http,
};
use floe_core::secret::Secret;
use floe_core::telemetry::attr;
use floe_otel_testkit::fixtures::{contract_violation, planted_secret};
use floe_otel_testkit::hostile::{Behaviour, HostilePeer};
use floe_otel_testkit::http::LoopbackServer;
use floe_otel_testkit::{Capture, expect};

const TRACER: &str = "floe.alert.tests";
const FAST: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    initial_backoff: Duration::from_millis(10),
    max_backoff: Duration::from_millis(50),
};

/// Delivers `{}` to `url` (with `token` as bearer token when given) in an `alert.send`
/// span of a fresh capture.
async fn deliver(
    url: &str,
    token: Option<&str>,
) -> (Result<u32, HttpDeliveryError>, Capture, WebhookUrl) {
    let hook = WebhookUrl::parse(url, false).expect("a loopback webhook");
    let peer = hook.peer(Duration::from_secs(2), FAST).expect("a client");
    let target = AlertTarget { tracer_name: TRACER, channel: "webhook", destination: "hook" };
    let capture = Capture::start();
    let mut request = hook.post().json(&serde_json::json!({}));
    if let Some(token) = token {
        request = request.bearer(&Secret::new(token.to_owned()));
    }
    let result = capture
        .bind(target.send(&contract_violation(), [], |_| async move {
            deliver_http(&peer, request).await.map(|answer| answer.attempts())
        }))
        .await
        .map(|report| report.attempts);
    (result, capture, hook)
}

fn send_span(status: &str) -> expect::SpanExpectation {
    expect::span("alert.send").root().attr(attr::ALERT_DELIVERY_STATUS, status.to_owned())
}

#[tokio::test]
async fn a_refusal_quoting_the_webhook_path_and_the_token_is_scrubbed_before_it_is_sanitized() {
    // A peer quoting what it got, bare (no `Bearer`, no URL shape the sanitizer knows).
    let server = LoopbackServer::start(Router::new().fallback(|request: Request| async move {
        let token = request.headers().get("authorization").and_then(|v| v.to_str().ok());
        let token = token.unwrap_or_default().trim_start_matches("Bearer ").to_owned();
        let path = request.uri().path().to_owned();
        (StatusCode::NOT_FOUND, format!("no_service for {path} (token {token} unknown)"))
    }));
    let path_secret = planted_secret();
    let token = planted_secret();

    let (result, capture, _) =
        deliver(&server.url(&format!("/services/T0/B0/{path_secret}")), Some(&token)).await;

    let error = result.unwrap_err();
    assert!(matches!(error, HttpDeliveryError::Rejected { status: 404, .. }), "{error:?}");
    assert_eq!(error.delivery_status(), DeliveryStatus::Rejected);
    let text = error.to_string();
    assert!(text.contains("rejected the alert with status 404: no_service for"), "{text}");
    capture.assert_one(
        send_span("rejected")
            .error_containing("status 404: no_service for")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 404_i64),
    );
    for secret in [&path_secret, &token] {
        capture.assert_secret_nowhere(secret, &[&text, &format!("{error:?}")]);
    }
}

#[tokio::test]
async fn a_redirect_is_never_followed_and_the_delivery_failed() {
    for status in [302, 307, 308] {
        let peer = HostilePeer::start(Behaviour::Redirect { status });

        let (result, capture, _) = deliver(&peer.url("/hooks/in"), None).await;

        let error = result.unwrap_err();
        assert!(
            matches!(error, HttpDeliveryError::Peer(PeerError::Redirected { .. })),
            "{status}: {error:?}"
        );
        assert_eq!(error.delivery_status(), DeliveryStatus::Failed);
        assert!(!peer.redirect_target_contacted(), "{status}: the redirect was followed");
        capture.assert_one(
            send_span("failed")
                .error_containing("answered with a redirect")
                .attr(attr::HTTP_RESPONSE_STATUS_CODE, i64::from(status)),
        );
    }
}

#[tokio::test]
async fn a_503_is_retried_as_an_alert_retry_event_and_the_attempts_are_counted() {
    let calls = Arc::new(AtomicU32::new(0));
    let server = LoopbackServer::start(Router::new().fallback(move || {
        let first = calls.fetch_add(1, Ordering::SeqCst) == 0;
        async move {
            if first { (StatusCode::SERVICE_UNAVAILABLE, "busy") } else { (StatusCode::OK, "ok") }
        }
    }));

    let (result, capture, _) = deliver(&server.url("/hooks/in"), None).await;

    assert_eq!(result.expect("delivered on the retry"), 2);
    capture.assert_one(
        send_span("delivered").ok().attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64).event(
            expect::event("alert.retry")
                .attr(attr::ALERT_ATTEMPT, 1_i64)
                .attr(attr::HTTP_RESPONSE_STATUS_CODE, 503_i64),
        ),
    );
}

#[tokio::test]
async fn a_server_error_is_a_failed_delivery_with_the_peer_words() {
    let server = LoopbackServer::start(
        Router::new().fallback(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "queue full\n") }),
    );

    let (result, capture, _) = deliver(&server.url("/hooks/in"), None).await;

    let error = result.unwrap_err();
    assert!(matches!(error, HttpDeliveryError::Failed { status: 500, .. }), "{error:?}");
    assert!(error.to_string().ends_with("with status 500: queue full"), "{error}");
    capture.assert_one(send_span("failed").error_containing("status 500: queue full"));
}

#[tokio::test]
async fn an_answer_over_the_body_limit_is_refused_without_reading_it() {
    let peer = HostilePeer::start(Behaviour::HugeBody { status: 200, declared: true });

    let (result, capture, _) = deliver(&peer.url("/hooks/in"), None).await;

    let error = result.unwrap_err();
    assert!(matches!(error, HttpDeliveryError::Peer(PeerError::TooLarge { .. })), "{error:?}");
    capture.assert_one(send_span("failed").error_containing("larger than"));
}
