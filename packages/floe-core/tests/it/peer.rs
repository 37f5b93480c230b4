//! The peer-call path against loopback peers: every status mapping, the retry rules and
//! the time budget, the body limit, the redirect policy, broken answers, and the scrub of
//! every credential form before the sanitizer.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::Response;
use axum::routing::any;
use floe_core::http::{Peer, PeerError, PeerRequest, RetryEvents, RetryPolicy};
use floe_core::secret::Secret;
use floe_core::telemetry::ops::SecretsOp;
use floe_core::telemetry::{attr, in_span_async};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::hostile::{Behaviour, HostilePeer};
use floe_otel_testkit::http::LoopbackServer;
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};

const TRACER: &str = "floe.core.tests";
const TIMEOUT: Duration = Duration::from_secs(1);
const FAST: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    initial_backoff: Duration::from_millis(10),
    max_backoff: Duration::from_millis(50),
};

fn events() -> RetryEvents {
    RetryEvents::new(attr::SECRETS_RETRY_EVENT, attr::SECRETS_ATTEMPT)
}

fn peer(url: &str) -> Peer {
    Peer::builder(url, false, events())
        .expect("loopback http is allowed")
        .timeout(TIMEOUT)
        .max_body(1 << 20)
        .retry(FAST)
        .build()
        .expect("client")
}

/// A server answering the statuses of `script` in turn (then 200 `{"ok":true}`), each
/// with `body`; 429s and 503s carry `Retry-After: 0`.
fn scripted(script: &'static [u16], body: &'static str) -> (LoopbackServer, Arc<AtomicU32>) {
    let calls = Arc::new(AtomicU32::new(0));
    let counted = Arc::clone(&calls);
    let server = LoopbackServer::start(Router::new().route(
        "/{*path}",
        any(move || {
            let n = counted.fetch_add(1, Ordering::SeqCst) as usize;
            let status = script.get(n).copied().unwrap_or(200);
            async move {
                let mut response = Response::builder().status(status);
                if matches!(status, 429 | 503) {
                    response = response.header("retry-after", "0");
                }
                let body = if status == 200 { "{\"ok\":true}" } else { body };
                response.body(Body::from(body)).expect("a valid response")
            }
        }),
    ));
    (server, calls)
}

/// Sends `request` inside a `secrets.get_secret` span of a fresh capture.
async fn traced_send(
    peer: &Peer,
    request: PeerRequest,
) -> (Result<floe_core::http::PeerAnswer, PeerError>, Capture) {
    let capture = Capture::start();
    let result = capture
        .bind(in_span_async(TRACER, SecretsOp::GetSecret, [], |_| async move {
            Ok::<_, std::io::Error>(peer.send(request).await)
        }))
        .await
        .expect("infallible");
    (result, capture)
}

#[tokio::test]
async fn a_success_is_read_whole_and_its_status_recorded_on_the_current_span() {
    let (server, _) = scripted(&[], "");
    let peer = peer(&server.url(""));

    let (answer, capture) = traced_send(&peer, PeerRequest::get("/api/things").accept_json()).await;

    let answer = answer.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.json::<serde_json::Value>().unwrap(), serde_json::json!({ "ok": true }));
    capture.assert_one(
        expect::span("secrets.get_secret").attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
    );
    assert_eq!(server.requests()[0].header("accept"), Some("application/json"));
}

#[tokio::test]
async fn statuses_map_to_typed_errors_with_the_peer_text() {
    type Matches = fn(&PeerError) -> bool;
    let cases: [(&'static [u16], Matches); 7] = [
        (&[400], |e| matches!(e, PeerError::Refused { status: 400, .. })),
        (&[401], |e| matches!(e, PeerError::Unauthorized { status: 401, .. })),
        (&[403], |e| matches!(e, PeerError::Unauthorized { status: 403, .. })),
        (&[404], |e| matches!(e, PeerError::NotFound { .. })),
        (&[422], |e| matches!(e, PeerError::Refused { status: 422, .. })),
        (&[500], |e| matches!(e, PeerError::Failed { status: 500, .. })),
        (&[429, 429, 429], |e| matches!(e, PeerError::Failed { status: 429, .. })),
    ];
    for (script, expected) in cases {
        let (server, _) = scripted(script, "the peer says no\nsecond line");
        let answer = peer(&server.url("")).send(PeerRequest::get("/x")).await.unwrap();
        let error = answer.error();
        assert!(expected(&error), "{script:?}: {error:?}");
        assert!(error.to_string().ends_with(": the peer says no"), "{error}");
        assert!(error.to_string().contains("127.0.0.1:"), "names the destination: {error}");
    }
}

#[tokio::test]
async fn an_unexpected_success_status_is_an_error_only_when_the_plugin_says_so() {
    let (server, _) = scripted(&[201], "");
    let answer = peer(&server.url("")).send(PeerRequest::post("/x")).await.unwrap();
    assert!(answer.is_success());
    assert!(matches!(answer.error(), PeerError::UnexpectedStatus { status: 201, .. }));
}

#[tokio::test]
async fn refusals_of_the_credentials_are_never_retried() {
    for status in [401_u16, 403] {
        let script: &'static [u16] = if status == 401 { &[401] } else { &[403] };
        let (server, calls) = scripted(script, "");
        let answer = peer(&server.url("")).send(PeerRequest::get("/x")).await.unwrap();
        assert_eq!((answer.status(), calls.load(Ordering::SeqCst)), (status, 1));
    }
}

#[tokio::test]
async fn a_503_then_a_429_are_retried_each_an_event_on_the_current_span() {
    let (server, calls) = scripted(&[503, 429], "");
    let peer = peer(&server.url(""));

    let (answer, capture) = traced_send(&peer, PeerRequest::get("/x")).await;

    assert_eq!(answer.unwrap().status(), 200);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    let retry = |attempt: i64, status: i64| {
        expect::event("secrets.retry")
            .attr(attr::SECRETS_ATTEMPT, attempt)
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, status)
    };
    capture
        .assert_one(expect::span("secrets.get_secret").event(retry(1, 503)).event(retry(2, 429)));
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_unreachable() {
    let peer = peer(&format!("http://{}", closed_port()));

    let (result, capture) = traced_send(&peer, PeerRequest::get("/x")).await;

    assert!(matches!(result, Err(PeerError::Unreachable { .. })), "{result:?}");
    capture.assert_one(
        expect::span("secrets.get_secret")
            .event(expect::event("secrets.retry").attr(attr::SECRETS_ATTEMPT, 2_i64)),
    );
}

#[tokio::test]
async fn a_retry_after_longer_than_the_budget_is_not_waited_for() {
    let server = LoopbackServer::start(Router::new().route(
        "/x",
        any(|| async {
            Response::builder()
                .status(503)
                .header("retry-after", "120")
                .body(Body::from("later"))
                .expect("a valid response")
        }),
    ));
    let patient = Peer::builder(&server.url(""), false, events())
        .unwrap()
        .timeout(TIMEOUT)
        .retry(RetryPolicy { max_backoff: Duration::from_mins(1), ..FAST })
        .build()
        .unwrap();
    let started = Instant::now();

    let answer = patient.send(PeerRequest::get("/x")).await.unwrap();

    assert!(started.elapsed() < TIMEOUT, "{:?}", started.elapsed());
    assert!(matches!(answer.error(), PeerError::Failed { status: 503, .. }));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_huge_body_is_refused_without_reading_it_declared_or_streamed() {
    for (status, declared) in [(200, true), (200, false), (500, false)] {
        let hostile = HostilePeer::start(Behaviour::HugeBody { status, declared });
        let result = peer(&hostile.url("")).send(PeerRequest::get("/x")).await;
        let error = result.unwrap_err();
        assert!(
            matches!(error, PeerError::TooLarge { status: s, limit: 1_048_576, .. } if s == status),
            "{error:?}"
        );
        assert!(error.to_string().contains("larger than 1048576 bytes"), "{error}");
    }
}

#[tokio::test]
async fn dribbled_and_stalled_answers_end_within_the_budget() {
    for behaviour in [Behaviour::Dribble, Behaviour::Stall] {
        let hostile = HostilePeer::start(behaviour);
        let started = Instant::now();
        let error = peer(&hostile.url("")).send(PeerRequest::get("/x")).await.unwrap_err();
        let took = started.elapsed();
        assert!(matches!(error, PeerError::TimedOut { .. }), "{behaviour:?}: {error:?}");
        assert!(took >= TIMEOUT && took < TIMEOUT + Duration::from_millis(500), "{took:?}");
        assert_eq!(error.to_string(), format!("{} did not answer within 1s", peer_of(&hostile)));
    }
}

fn peer_of(hostile: &HostilePeer) -> String {
    hostile.url("").trim_start_matches("http://").to_owned()
}

#[tokio::test]
async fn redirects_are_never_followed_to_another_origin_or_within_one() {
    let token = Secret::new(planted_secret());
    for status in [301_u16, 302, 303, 307, 308] {
        let hostile = HostilePeer::start(Behaviour::Redirect { status });
        let request = PeerRequest::post("/token").bearer(&token).json(&serde_json::json!({}));
        let error = peer(&hostile.url("")).send(request).await.unwrap_err();
        assert!(
            matches!(error, PeerError::Redirected { status: s, .. } if s == status),
            "{error:?}"
        );
        assert!(!hostile.redirect_target_contacted(), "{status}: the redirect was followed");
    }
    let same_origin = LoopbackServer::start(Router::new().route(
        "/{*path}",
        any(|| async {
            Response::builder()
                .status(307)
                .header("location", "/elsewhere")
                .body(Body::empty())
                .expect("a valid response")
        }),
    ));
    let error = peer(&same_origin.url("")).send(PeerRequest::get("/x").bearer(&token)).await;
    assert!(matches!(error, Err(PeerError::Redirected { status: 307, .. })), "{error:?}");
    assert_eq!(same_origin.requests().len(), 1, "no second request, even to the same origin");
}

/// What the broken answers are parsed as.
#[derive(Debug, serde::Deserialize)]
#[expect(dead_code, reason = "only parsed")]
struct Expected {
    data: std::collections::BTreeMap<String, String>,
}

#[tokio::test]
async fn broken_json_is_malformed_by_category_and_never_quotes_the_body() {
    let token = Secret::new(planted_secret());
    let cases = [
        (Behaviour::MalformedJson, "syntax error"),
        (Behaviour::TruncatedJson, "truncated"),
        (Behaviour::WrongShapeJson, "wrong shape"),
    ];
    for (behaviour, category) in cases {
        let hostile = HostilePeer::start(behaviour);
        let answer = peer(&hostile.url("")).send(PeerRequest::get("/x").bearer(&token)).await;
        let error = answer.unwrap().json::<Expected>().unwrap_err();
        assert!(
            matches!(error, PeerError::Malformed { category: c, .. } if c == category),
            "{error:?}"
        );
        floe_otel_testkit::leak::assert_text_clean(
            "error",
            &format!("{error} {error:?}"),
            token.expose(),
        );
    }
}

#[tokio::test]
async fn a_connection_closed_mid_answer_is_incomplete() {
    let hostile = HostilePeer::start(Behaviour::CloseMidAnswer);
    let error = peer(&hostile.url("")).send(PeerRequest::get("/x")).await.unwrap_err();
    assert!(matches!(error, PeerError::Incomplete { .. }), "{error:?}");
    assert!(error.to_string().ends_with("closed the connection before the answer was complete"));
}

#[tokio::test]
async fn a_connection_closed_before_any_answer_is_no_answer() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let closer = std::thread::spawn(move || {
        // Read the request, then close without a byte of answer.
        let (mut stream, _) = listener.accept().unwrap();
        let mut buffer = [0_u8; 4096];
        let _ = std::io::Read::read(&mut stream, &mut buffer);
    });

    let error = peer(&format!("http://{address}")).send(PeerRequest::get("/x")).await.unwrap_err();

    closer.join().unwrap();
    assert!(matches!(error, PeerError::NoAnswer { .. }), "{error:?}");
    assert_eq!(error.to_string(), format!("{address} closed the connection without answering"));
}

#[tokio::test]
async fn every_credential_the_call_sent_is_scrubbed_from_the_peer_text_whatever_its_form() {
    let planted = || Secret::new(format!("{}/+ &\"x", planted_secret()));
    let (bearer, password, key, header, field, inner) =
        (planted(), planted(), planted(), planted(), planted(), planted());
    for behaviour in [
        Behaviour::Echo { status: 401 },
        Behaviour::Echo { status: 500 },
        Behaviour::EchoText { status: 400 },
    ] {
        let hostile = HostilePeer::start(behaviour);
        let request = PeerRequest::post("/login")
            .query_secret("api_key", &key)
            .header_secret("x-api-key", &header)
            .form_secret("client_secret", &field)
            .form(&[("grant_type", "client_credentials")]);
        let json = PeerRequest::post("/login")
            .bearer(&bearer)
            .json(&serde_json::json!({ "accessToken": inner.expose() }))
            .credential(&inner);
        let basic = PeerRequest::get("/login").basic("ops", &password);
        for request in [request, json, basic] {
            let answer = peer(&hostile.url("")).send(request).await.unwrap();
            let texts = [
                answer.error().to_string(),
                format!("{:?}", answer.error()),
                answer.peer_text(|body| String::from_utf8(body.to_vec()).ok()).into_string(),
                answer.excerpt().into_string(),
            ];
            let marked = texts[2].contains("<redacted>") || texts[2].contains("<REDACTED>");
            assert!(marked, "{behaviour:?}: {}", texts[2]);
            for secret in [&bearer, &password, &key, &header, &field, &inner] {
                for text in &texts {
                    floe_otel_testkit::leak::assert_text_clean("peer text", text, secret.expose());
                }
            }
        }
        assert_eq!(hostile.hostile_answers(), 3);
    }
}

#[tokio::test]
async fn peer_text_is_sanitized_after_the_scrub() {
    let (server, _) = scripted(&[400], "rejected: password=hunter2-not-sent-by-this-call");
    let answer = peer(&server.url("")).send(PeerRequest::get("/x")).await.unwrap();
    assert_eq!(answer.excerpt().as_str(), "rejected: password=<REDACTED>");
}

#[test]
fn endpoints_that_carry_credentials_must_be_https_loopback_or_explicitly_insecure() {
    use floe_core::http::EndpointError;
    let build = |url: &str, insecure: bool| Peer::builder(url, insecure, events()).map(drop);
    assert!(build("https://api.example.com", false).is_ok());
    assert!(build("http://127.0.0.1:8080", false).is_ok());
    assert!(build("http://localhost:8001", false).is_ok());
    assert!(build("http://[::1]:8001", false).is_ok());
    assert_eq!(
        build("http://10.0.0.1:8080", false),
        Err(EndpointError::Insecure { destination: "10.0.0.1:8080".into() })
    );
    assert!(build("http://10.0.0.1:8080", true).is_ok());
    let password = planted_secret();
    let with_user = build(&format!("https://admin:{password}@api.example.com"), false);
    assert!(matches!(with_user, Err(EndpointError::UserInfo { .. })), "{with_user:?}");
    let with_query = build(&format!("https://api.example.com/?token={password}"), false);
    assert!(matches!(with_query, Err(EndpointError::Query { .. })), "{with_query:?}");
    for error in [with_user, with_query] {
        floe_otel_testkit::leak::assert_text_clean("error", &format!("{error:?}"), &password);
    }
    assert!(matches!(build("ftp://h", false), Err(EndpointError::UnsupportedScheme { .. })));
}

#[tokio::test]
async fn an_announced_url_on_another_origin_is_refused_before_any_request() {
    let (server, calls) = scripted(&[], "");
    let peer = peer(&server.url("/realms/floe"));
    let elsewhere = format!("http://{}/token", closed_port());

    assert!(peer.check_url(&server.url("/realms/floe/token")).is_ok());
    let refused = peer.check_url(&elsewhere).unwrap_err();
    assert!(refused.to_string().contains("is not on the origin of 127.0.0.1:"), "{refused}");
    let request = PeerRequest::to_url(reqwest::Method::POST, elsewhere.parse().unwrap());
    let error = peer.send(request).await.unwrap_err();
    assert!(matches!(error, PeerError::Request { .. }), "{error:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_request_that_cannot_be_made_fails_before_anything_is_sent() {
    let (server, calls) = scripted(&[], "");
    let peer = peer(&server.url(""));
    let token = Secret::new("line\nbreak".to_owned());
    let requests = [
        PeerRequest::get("relative/path"),
        PeerRequest::get("/x").header("bad header", "v"),
        PeerRequest::get("/x").header_secret("x-api-key", &token),
        PeerRequest::post("/x").json(&serde_json::json!({})).form(&[("a", "b")]),
    ];
    for request in requests {
        let error = peer.send(request).await.unwrap_err();
        assert!(matches!(error, PeerError::Request { .. }), "{error:?}");
        floe_otel_testkit::leak::assert_text_clean("error", &format!("{error:?}"), "line\nbreak");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn paths_are_appended_to_the_base_path() {
    let (server, _) = scripted(&[], "");
    let peer = peer(&format!("{}/", server.url("/proxy")));
    peer.send(PeerRequest::get("/api/v1/x").query("limit", "5").query("sel", "a=b")).await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.path, "/proxy/api/v1/x");
    assert_eq!(request.query.as_deref(), Some("limit=5&sel=a%3Db"));
}

#[tokio::test]
async fn health_checks_end_their_span_as_an_error_when_the_peer_is_unhealthy() {
    use floe_core::health::traced_health_async;
    let capture = Capture::start();
    let hostile = HostilePeer::start(Behaviour::Echo { status: 503 });
    let peer = peer(&hostile.url(""));
    let token = Secret::new(planted_secret());

    let healthy = capture
        .bind(traced_health_async(TRACER, SecretsOp::HealthCheck, vec![], |_| async {
            Ok::<(), PeerError>(())
        }))
        .await;
    let unhealthy = capture
        .bind(traced_health_async(TRACER, SecretsOp::HealthCheck, vec![], |_| async {
            peer.send(PeerRequest::get("/health").bearer(&token)).await?.success().map(drop)
        }))
        .await;

    assert!(healthy.is_healthy());
    let floe_core::plugin::HealthStatus::Unhealthy { reason } = &unhealthy else {
        panic!("{unhealthy:?}")
    };
    assert!(reason.contains("failed to answer (503)"), "{reason}");
    let span = expect::span("secrets.health_check").scope(TRACER);
    capture.assert_one(span.clone().ok());
    capture.assert_one(
        span.error_containing("failed to answer (503)")
            .exception("unhealthy")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 503_i64),
    );
    capture.assert_secret_nowhere(token.expose(), &[reason]);
}
