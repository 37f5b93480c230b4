//! The shared HTTP client: retries only where safe, bounded, each retry reported.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::Response;
use axum::routing::post;
use floe_core::http::{RetryEvent, RetryPolicy, client, send_with_retry};
use floe_otel_testkit::http::LoopbackServer;
use floe_otel_testkit::peers::closed_port;

const FAST: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    initial_backoff: Duration::from_millis(10),
    max_backoff: Duration::from_millis(50),
};

/// A server answering the statuses of `script` in turn (429s with `Retry-After: 0`),
/// then 200.
fn scripted(script: &'static [u16]) -> LoopbackServer {
    let calls = Arc::new(AtomicU32::new(0));
    LoopbackServer::start(Router::new().route(
        "/hook",
        post(move || {
            let n = calls.fetch_add(1, Ordering::SeqCst) as usize;
            let status = script.get(n).copied().unwrap_or(200);
            async move {
                let mut response = Response::builder().status(status);
                if status == 429 {
                    response = response.header("retry-after", "0");
                }
                response.body(Body::empty()).expect("a valid response")
            }
        }),
    ))
}

async fn send(server: &LoopbackServer, url: String) -> (Option<u16>, u32, Vec<RetryEvent>, usize) {
    let http = client(Duration::from_secs(5)).expect("client");
    let mut events = Vec::new();
    let sent = send_with_retry(&FAST, || http.post(&url).body("{}"), |e| events.push(e)).await;
    (sent.result.ok().map(|r| r.status().as_u16()), sent.attempts, events, server.requests().len())
}

#[tokio::test]
async fn a_503_then_a_429_are_retried_until_success() {
    let server = scripted(&[503, 429]);
    let (status, attempts, events, received) = send(&server, server.url("/hook")).await;
    assert_eq!((status, attempts, received), (Some(200), 3, 3));
    assert_eq!(
        events.iter().map(|e| (e.attempt, e.status)).collect::<Vec<_>>(),
        [(1, Some(503)), (2, Some(429))]
    );
    assert_eq!(events[1].backoff, Duration::ZERO, "Retry-After: 0 is honoured");
}

#[tokio::test]
async fn other_failures_are_not_retried() {
    for (status, script) in [(400, &[400][..]), (404, &[404]), (500, &[500])] {
        let server = scripted(script);
        let (got, attempts, events, received) = send(&server, server.url("/hook")).await;
        assert_eq!((got, attempts, received), (Some(status), 1, 1));
        assert!(events.is_empty());
    }
}

#[tokio::test]
async fn retries_stop_at_the_bound_and_return_the_last_answer() {
    let server = scripted(&[503, 503, 503, 503]);
    let (status, attempts, events, received) = send(&server, server.url("/hook")).await;
    assert_eq!((status, attempts, events.len(), received), (Some(503), 3, 2, 3));
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_reported() {
    let http = client(Duration::from_secs(2)).unwrap();
    let url = format!("http://{}/hook", closed_port());
    let mut events = Vec::new();
    let started = Instant::now();
    let sent = send_with_retry(&FAST, || http.post(&url), |e| events.push(e)).await;
    assert!(sent.result.unwrap_err().is_connect());
    assert_eq!(sent.attempts, 3);
    assert!(events.iter().all(|e| e.status.is_none()));
    assert!(started.elapsed() < Duration::from_secs(2), "bounded backoff");
}

#[test]
fn a_ca_bundle_without_certificates_is_refused() {
    use floe_core::http::{CaBundleError, client_with_ca};
    let empty = client_with_ca(Duration::from_secs(1), b"");
    assert!(matches!(empty, Err(CaBundleError::Empty)), "{empty:?}");
    let prose = client_with_ca(Duration::from_secs(1), b"this is not a certificate\n");
    assert!(matches!(prose, Err(CaBundleError::Empty)), "{prose:?}");
}

#[test]
fn a_ca_bundle_with_a_certificate_builds_a_client() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("ca.crt");
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=floe-test-ca",
        ])
        .arg("-keyout")
        .arg(dir.path().join("ca.key"))
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl (Debian package openssl) generates the test CA");
    assert!(status.success());
    let pem = std::fs::read(&cert).unwrap();
    floe_core::http::client_with_ca(Duration::from_secs(1), &pem).unwrap();
}

#[tokio::test]
async fn the_client_never_follows_a_redirect_with_its_headers() {
    let elsewhere = LoopbackServer::start(Router::new().route("/take", post(|| async { "taken" })));
    let target = elsewhere.url("/take");
    let redirecting = LoopbackServer::start(Router::new().route(
        "/hook",
        post(move || {
            let target = target.clone();
            async move {
                Response::builder()
                    .status(307)
                    .header("location", target)
                    .body(Body::empty())
                    .expect("a valid response")
            }
        }),
    ));
    let http = client(Duration::from_secs(5)).expect("client");
    let answer = http
        .post(redirecting.url("/hook"))
        .header("dagster-cloud-api-token", "FLOETEST-token")
        .body("{}")
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status().as_u16(), 307, "the redirect is the answer");
    assert_eq!(redirecting.requests().len(), 1);
    assert!(elsewhere.requests().is_empty(), "the other origin got the request and its token");
}
