//! The HTTP/protobuf transport against a real OTLP receiver: oteltap, from the test
//! virtualenv (`scripts/setup`), which prints every span it decodes as NDJSON. The
//! connection check's empty export must be accepted, and the spans of a real floe compile
//! exported through the plugin's configuration must arrive with their names and attributes.

use std::net::SocketAddr;
use std::time::Duration;

use floe_core::compile::{CompileRequest, compile};
use floe_core::plugin::categories::TelemetryBackend as _;
use floe_core::plugin::registered;
use floe_core::telemetry::ProcessEnv;
use floe_otel_testkit::Capture;
use floe_otel_testkit::peers::{PeerProcess, free_port, venv_bin};
use floe_telemetry_jaeger::{JaegerConfig, JaegerTelemetryPlugin};

const MANIFEST: &str = "\
api_version: floe/v1
platform: { name: jaeger-demo, namespace: analytics }
plugins:
  telemetry_backend:
    type: jaeger
    config: { endpoint: 'http://127.0.0.1:4318', protocol: http/protobuf }
";

/// oteltap listening on a free loopback port, ready.
fn oteltap() -> (PeerProcess, SocketAddr) {
    let program = venv_bin("oteltap").unwrap_or_else(|e| panic!("{e}"));
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let port = addr.port().to_string();
    let mut process = PeerProcess::spawn("oteltap", &program, &["--port", &port], &[])
        .unwrap_or_else(|e| panic!("{e}"));
    process.wait_for_tcp(addr, Duration::from_secs(15)).unwrap_or_else(|e| panic!("{e}"));
    (process, addr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_and_real_spans_reach_a_real_otlp_http_receiver() {
    let (mut receiver, addr) = oteltap();
    let config: JaegerConfig = serde_json::from_value(serde_json::json!({
        "endpoint": format!("http://{addr}"),
        "protocol": "http/protobuf",
        "timeout_ms": 5000,
    }))
    .expect("the test config decodes");
    let plugin = JaegerTelemetryPlugin::with_env(config, &|_: &str| None).unwrap();

    plugin.validate_connection().await.unwrap();

    let capture = Capture::start();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let manifest = dir.path().join("manifest.yaml");
    std::fs::write(&manifest, MANIFEST).expect("the manifest is written");
    let request = CompileRequest {
        manifest: &manifest,
        output: None,
        registry: &registered(),
        env: &ProcessEnv,
    };
    compile(&request).expect("the manifest compiles");
    let spans = capture.spans().all().to_vec();
    assert!(spans.iter().any(|s| s.name == "floe.compile"), "{}", capture.spans().render());

    plugin.span_exporter().unwrap().export(spans).await.unwrap();

    // PeerProcess keeps the peer's output in `peer.log` in its directory.
    let log = receiver.dir().join("peer.log");
    let printed = || std::fs::read_to_string(&log).unwrap_or_default();
    receiver
        .wait_until(Duration::from_secs(10), || {
            let text = printed();
            text.contains("\"floe.compile\"") && text.contains("\"compile.validate\"")
        })
        .unwrap_or_else(|e| panic!("the receiver did not print the spans: {e}"));
    let text = printed();
    assert!(text.contains("floe.namespace"), "attributes arrive: {text}");
    assert!(text.contains("analytics"), "attribute values arrive: {text}");
}
