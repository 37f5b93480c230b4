//! The spans of every operation: generation from the manifest dbt writes for the example
//! project, and the readiness check against a loopback server answering `/readyz` as Cube
//! does (ready, not ready, refused, slow, and something on the port that is not Cube or
//! quotes the data source's URL in a not-ready answer), with truthful statuses and no URL
//! user info or quoted credential anywhere.

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use base64::Engine as _;
use floe_core::http::PeerError;
use floe_core::plugin::categories::SemanticLayer as _;
use floe_core::plugin::{HealthStatus, Lifecycle as _};
use floe_core::telemetry::{SpanKind, attr};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::http::LoopbackServer;
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};
use floe_semantic_cube::{CubeConfig, CubeError, CubePlugin};

use crate::peer::{CubeServer, DataSource};
use crate::plugin;
use crate::schema::refused_manifests;
use crate::warehouse::warehouse;

const SCOPE: &str = "floe.semantic.cube";

fn health_span(server: &str) -> expect::SpanExpectation {
    expect::span("semantic.health_check")
        .root()
        .scope(SCOPE)
        .kind(SpanKind::Client)
        .floe_attributes()
        .attr(attr::SEMANTIC_PROVIDER, "cube")
        .attr(attr::SEMANTIC_SERVER, server.to_owned())
}

/// `url` with a planted password as user info.
fn with_password(url: &str, password: &str) -> String {
    url.replace("http://", &format!("http://floe:{password}@"))
}

#[tokio::test]
async fn a_ready_server_ends_the_health_span_ok_with_its_address_only() {
    let password = planted_secret();
    let server = CubeServer::start(DataSource::Up);
    let plugin = plugin(&with_password(&server.url(), &password));
    let capture = Capture::start();

    plugin.health().await.unwrap();
    let status = plugin.health_check().await;

    assert_eq!(status, HealthStatus::Healthy);
    assert_eq!(server.paths(), ["/readyz", "/readyz"]);
    let basic = format!("floe:{password}");
    let basic = base64::engine::general_purpose::STANDARD.encode(basic);
    assert_eq!(
        server.authorization(),
        vec![Some(format!("Basic {basic}")); 2],
        "user info as basic auth"
    );
    capture.assert_count(
        health_span(&server.host_port()).ok().attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
        2,
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&password, &[]);
}

#[tokio::test]
async fn a_server_whose_data_source_is_down_is_an_error_span_and_an_unhealthy_status() {
    let password = planted_secret();
    let server = CubeServer::start(DataSource::Down);
    let plugin = plugin(&with_password(&server.url(), &password));
    let capture = Capture::start();

    let error = plugin.health().await.unwrap_err();
    let status = plugin.health_check().await;

    let expected = format!(
        "cube server at {} is not ready: GET /readyz answered status 500: {{\"health\":\"DOWN\"}}",
        server.host_port()
    );
    assert!(matches!(error, CubeError::NotReady { status: 500, .. }), "{error:?}");
    assert_eq!(error.to_string(), expected);
    assert_eq!(status, HealthStatus::Unhealthy { reason: expected.clone() });
    capture.assert_count(
        health_span(&server.host_port())
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 500_i64)
            .error_description(expected)
            .exception("CubeError"),
        2,
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&password, &[&error.to_string(), &format!("{error:?}")]);
}

#[tokio::test]
async fn a_refused_connection_is_an_error_span_naming_host_and_port() {
    let password = planted_secret();
    let addr = closed_port();
    let capture = Capture::start();

    let error = plugin(&format!("http://floe:{password}@{addr}/")).health().await.unwrap_err();

    assert!(
        matches!(error, CubeError::Readyz { source: PeerError::Unreachable { .. } }),
        "{error:?}"
    );
    let expected = format!("cube readiness check (GET /readyz) failed: cannot connect to {addr}");
    assert_eq!(error.to_string(), expected);
    capture.assert_one(
        health_span(&addr.to_string())
            .no_attr(attr::HTTP_RESPONSE_STATUS_CODE)
            .error_containing(expected)
            .exception("CubeError"),
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&password, &[&format!("{error:?}")]);
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_is_an_error_span_within_the_timeout() {
    let password = planted_secret();
    let server = CubeServer::start(DataSource::Slow(Duration::from_secs(2)));
    let mut config = crate::peer::config(&with_password(&server.url(), &password));
    config["timeout_secs"] = serde_json::json!(1);
    let plugin = CubePlugin::new(serde_json::from_value::<CubeConfig>(config).unwrap()).unwrap();
    let capture = Capture::start();
    let started = std::time::Instant::now();

    let status = plugin.health_check().await;

    let expected = format!(
        "cube readiness check (GET /readyz) failed: {} did not answer within 1s",
        server.host_port()
    );
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(status, HealthStatus::Unhealthy { reason: expected.clone() });
    capture.assert_one(
        health_span(&server.host_port())
            .no_attr(attr::HTTP_RESPONSE_STATUS_CODE)
            .error_description(expected)
            .exception("CubeError"),
    );
    capture.spans().assert_conforms();
    capture.assert_no_secret(&password);
}

#[tokio::test]
async fn a_200_that_is_not_cubes_readiness_answer_is_not_ready() {
    let password = planted_secret();
    let proxy = LoopbackServer::start(
        Router::new()
            .route("/readyz", get(|| async { "<html><body>Welcome to nginx!</body></html>" })),
    );
    let plugin = plugin(&with_password(&proxy.url(""), &password));
    let capture = Capture::start();

    let error = plugin.health().await.unwrap_err();

    let expected = format!(
        "the server at {} answered GET /readyz with 200 but not Cube's readiness answer",
        proxy.addr()
    );
    assert!(matches!(error, CubeError::NotCube { .. }), "{error:?}");
    assert_eq!(error.to_string(), expected);
    capture.assert_one(
        health_span(&proxy.addr().to_string())
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64)
            .error_description(expected)
            .exception("CubeError"),
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&password, &[&format!("{error:?}")]);
}

#[tokio::test]
async fn a_not_ready_answer_quoting_the_data_sources_url_reaches_the_span_redacted() {
    // Cube's own `/readyz` logs the driver's error and answers `{"health":"DOWN"}`; a front
    // answering at `server_url` (an ingress, a readiness sidecar) may pass that error on.
    // The first line of a non-200 answer reaches the span, and the plugin never sent this
    // password, so only the sanitizer stands between it and the span.
    let secret = planted_secret();
    let body = format!(
        r#"{{"health":"DOWN","error":"Error: connect ECONNREFUSED postgres://cube:{secret}@warehouse.floe.svc:5432/analytics"}}"#
    );
    let front = LoopbackServer::start(Router::new().route(
        "/readyz",
        get(move || {
            let body = body.clone();
            async move { (StatusCode::BAD_GATEWAY, body) }
        }),
    ));
    let plugin = plugin(&front.url(""));
    let capture = Capture::start();

    let error = plugin.health().await.unwrap_err();
    let status = plugin.health_check().await;

    let expected = format!(
        "cube server at {} is not ready: GET /readyz answered status 502: \
         {{\"health\":\"DOWN\",\"error\":\"Error: connect ECONNREFUSED \
         postgres://<REDACTED>@warehouse.floe.svc:5432/analytics\"}}",
        front.addr()
    );
    assert!(matches!(error, CubeError::NotReady { status: 502, .. }), "{error:?}");
    assert_eq!(error.to_string(), expected);
    assert_eq!(status, HealthStatus::Unhealthy { reason: expected.clone() });
    capture.assert_count(
        health_span(&front.addr().to_string())
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 502_i64)
            .error_description(expected)
            .exception("CubeError"),
        2,
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&secret, &[&error.to_string(), &format!("{error:?}")]);
}

#[test]
fn generation_records_the_number_of_cubes() {
    let manifest = warehouse().manifest();
    let capture = Capture::start();

    let files = plugin("http://127.0.0.1:4000").generate_schema(&manifest).unwrap();

    assert_eq!(files.files.len(), 3);
    capture.assert_one(
        expect::span("semantic.generate_schema")
            .root()
            .scope(SCOPE)
            .kind(SpanKind::Internal)
            .floe_attributes()
            .ok()
            .attr(attr::SEMANTIC_PROVIDER, "cube")
            .attr(attr::SEMANTIC_CUBES_COUNT, 2_i64),
    );
    capture.spans().assert_conforms();
}

#[test]
fn a_manifest_that_cannot_become_a_model_ends_the_span_as_an_error_naming_why() {
    let plugin = plugin("http://127.0.0.1:4000");
    let mut variants = Vec::new();
    for (what, manifest, _) in refused_manifests() {
        let capture = Capture::start();

        let error = plugin.generate_schema(&manifest).unwrap_err();

        variants.push(match error {
            CubeError::Manifest { .. } => "Manifest",
            CubeError::Meta { .. } => "Meta",
            CubeError::InvalidName { .. } => "InvalidName",
            CubeError::DuplicateMember { .. } => "DuplicateMember",
            ref other => panic!("{what}: unexpected {other:?}"),
        });
        capture.assert_one(
            expect::span("semantic.generate_schema")
                .root()
                .scope(SCOPE)
                .floe_attributes()
                .attr(attr::SEMANTIC_PROVIDER, "cube")
                .no_attr(attr::SEMANTIC_CUBES_COUNT)
                .error_description(error.to_string())
                .exception("CubeError"),
        );
        capture.spans().assert_conforms();
    }
    variants.sort_unstable();
    variants.dedup();
    assert_eq!(variants, ["DuplicateMember", "InvalidName", "Manifest", "Meta"]);
}
