//! The spans of every operation: generation and the readiness check against a loopback
//! Cube server, with truthful statuses and no URL user info anywhere.

use floe_core::plugin::categories::SemanticLayer as _;
use floe_core::plugin::{HealthStatus, Lifecycle as _};
use floe_core::telemetry::{SpanKind, attr};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};
use serde_json::json;

use crate::peer::{CubeServer, manifest};
use crate::plugin;

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

#[tokio::test]
async fn a_ready_server_ends_the_health_span_ok_with_its_address_only() {
    let password = planted_secret();
    let server = CubeServer::start(true);
    let url = server.url().replace("http://", &format!("http://floe:{password}@"));
    let capture = Capture::start();

    plugin(&url).health().await.unwrap();

    assert_eq!(server.paths(), ["/readyz"]);
    capture.assert_one(
        health_span(&server.host_port()).ok().attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&password, &[]);
}

#[tokio::test]
async fn an_unready_server_is_an_error_span_and_an_unhealthy_status() {
    let password = planted_secret();
    let server = CubeServer::start(false);
    let url = server.url().replace("http://", &format!("http://floe:{password}@"));
    let plugin = plugin(&url);
    let capture = Capture::start();

    let error = plugin.health().await.unwrap_err();
    let status = plugin.health_check().await;
    server.set_ready(true);
    let recovered = plugin.health_check().await;

    let expected =
        format!("cube server at {} is not ready: GET /readyz answered 500", server.host_port());
    assert_eq!(error.to_string(), expected);
    assert_eq!(status, HealthStatus::Unhealthy { reason: expected.clone() });
    assert_eq!(recovered, HealthStatus::Healthy);
    capture.assert_count(
        health_span(&server.host_port())
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 500_i64)
            .error_description(expected)
            .exception("CubeError"),
        2,
    );
    capture.assert_one(health_span(&server.host_port()).ok());
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&password, &[&error.to_string()]);
}

#[tokio::test]
async fn an_unreachable_server_is_an_error_span_naming_host_and_port() {
    let password = planted_secret();
    let addr = closed_port();
    let capture = Capture::start();

    let error = plugin(&format!("http://floe:{password}@{addr}/")).health().await.unwrap_err();

    assert!(
        error.to_string().starts_with(&format!("cannot reach the cube server at {addr}")),
        "{error}"
    );
    capture.assert_one(
        health_span(&addr.to_string())
            .no_attr(attr::HTTP_RESPONSE_STATUS_CODE)
            .error_containing(format!("cannot reach the cube server at {addr}"))
            .exception("CubeError"),
    );
    capture.spans().assert_conforms();
    capture.assert_secret_nowhere(&password, &[&format!("{error:?}")]);
}

#[test]
fn generation_records_the_number_of_cubes() {
    let capture = Capture::start();

    let files = plugin("http://127.0.0.1:4000").generate_schema(&manifest()).unwrap();

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
fn a_manifest_that_cannot_become_cubes_ends_the_span_as_an_error() {
    let mut bad = manifest();
    bad["nodes"]["model.orders_product.orders"]["columns"]["status"]["meta"] =
        json!({ "cube": { "measure": 3 } });
    let capture = Capture::start();

    let error = plugin("http://127.0.0.1:4000").generate_schema(&bad).unwrap_err();

    capture.assert_one(
        expect::span("semantic.generate_schema")
            .root()
            .scope(SCOPE)
            .no_attr(attr::SEMANTIC_CUBES_COUNT)
            .error_description(error.to_string())
            .exception("CubeError"),
    );
    capture.spans().assert_conforms();
}
