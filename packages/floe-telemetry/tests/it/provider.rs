//! Provider set-up: spans really reach an OTLP/HTTP receiver on loopback, with the
//! configured resource and headers; disabled telemetry exports nothing; a huge answer is
//! read only up to the exporter's limit, and a collector dribbling its answer cannot hold
//! the export past its timeout.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use floe_otel_testkit::{Capture, expect};
use floe_telemetry::{
    ConsoleExporter, ExporterConfig, OtlpConfig, OtlpProtocol, TelemetryConfig, TracerFactory,
    init_telemetry_in,
};
use opentelemetry::trace::{Span as _, Tracer as _};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message as _;

/// One received OTLP request: its headers (lower-cased names) and decoded body.
struct Received {
    path: String,
    headers: Vec<(String, String)>,
    request: ExportTraceServiceRequest,
}

/// An OTLP/HTTP receiver on a free loopback port that answers every request with 200 and
/// an empty protobuf response, and stops after `requests` requests or 10 seconds.
fn receiver(requests: usize) -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let endpoint = format!("http://{}", listener.local_addr().expect("address"));
    let (tx, rx) = mpsc::channel();
    listener.set_nonblocking(false).expect("blocking");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let Ok(mut stream) = stream else { return };
            stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request_line = String::new();
            reader.read_line(&mut request_line).ok();
            let path = request_line.split_whitespace().nth(1).unwrap_or_default().to_owned();
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((k, v)) = line.trim_end().split_once(':') {
                    headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
                }
            }
            let length: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).ok();
            let request = ExportTraceServiceRequest::decode(body.as_slice())
                .expect("an OTLP trace export request");
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = tx.send(Received { path, headers, request });
        }
    });
    (endpoint, rx)
}

fn leaked_factory() -> &'static TracerFactory {
    Box::leak(Box::new(TracerFactory::new()))
}

#[test]
fn spans_are_exported_over_otlp_http_with_resource_and_headers() {
    let (endpoint, received) = receiver(1);
    let yaml = format!(
        "service_name: floe-test-export\nnamespace: analytics\nproduct: {{ name: orders, version: 1.0.0 }}\n\
         exporter: {{ kind: otlp, protocol: http/protobuf, endpoint: '{endpoint}', headers: {{ x-api-key: FLOETEST-key }} }}\n"
    );
    let config = TelemetryConfig::from_yaml(&yaml).unwrap();
    let factory = leaked_factory();
    let guard = init_telemetry_in(factory, &config).unwrap();
    assert!(guard.is_enabled() && factory.is_enabled());
    factory.tracer("floe.test.export").start("export.check").end();
    guard.shutdown().unwrap();
    assert!(!factory.is_enabled(), "shutdown switches the factory back to no-op");

    let got = received.recv_timeout(Duration::from_secs(10)).expect("the receiver got a request");
    assert_eq!(got.path, "/v1/traces");
    assert!(
        got.headers.iter().any(|(k, v)| k == "x-api-key" && v == "FLOETEST-key"),
        "{:?}",
        got.headers
    );
    assert!(got.headers.iter().any(|(k, v)| k == "content-type" && v == "application/x-protobuf"));
    let resource = got.request.resource_spans[0].resource.as_ref().expect("resource");
    let attribute = |key: &str| {
        resource
            .attributes
            .iter()
            .find(|kv| kv.key == key)
            .and_then(|kv| kv.value.as_ref())
            .map(|v| format!("{:?}", v.value))
    };
    assert!(attribute("service.name").unwrap().contains("floe-test-export"));
    assert!(attribute("floe.namespace").unwrap().contains("analytics"));
    assert!(attribute("floe.product.name").unwrap().contains("orders"));
    let scope_spans = &got.request.resource_spans[0].scope_spans[0];
    assert_eq!(scope_spans.scope.as_ref().unwrap().name, "floe.test.export");
    assert_eq!(scope_spans.spans[0].name, "export.check");
}

#[test]
fn disabled_telemetry_installs_nothing() {
    let factory = leaked_factory();
    for yaml in ["enabled: false\nexporter: { kind: console }\n", "exporter: { kind: none }\n"] {
        let guard = init_telemetry_in(factory, &TelemetryConfig::from_yaml(yaml).unwrap()).unwrap();
        assert!(!guard.is_enabled());
        assert!(!factory.is_enabled());
        assert!(!factory.tracer("floe.x").start("x.y").is_recording());
    }
}

/// Telemetry exporting over OTLP HTTP/protobuf to `endpoint` with `timeout_ms`, installed in
/// a factory of its own, with one span ended and waiting in the batch processor.
fn one_span_for_http_export(endpoint: String, timeout_ms: u64) -> floe_telemetry::TelemetryGuard {
    let config = TelemetryConfig {
        exporter: ExporterConfig::Otlp(OtlpConfig {
            protocol: OtlpProtocol::HttpProtobuf,
            endpoint,
            timeout_ms,
            ..OtlpConfig::default()
        }),
        ..TelemetryConfig::default()
    };
    let factory = leaked_factory();
    let guard = init_telemetry_in(factory, &config).expect("telemetry starts");
    factory.tracer("floe.x").start("x.y").end();
    guard
}

#[test]
fn an_unreachable_collector_does_not_fail_start_up_and_shutdown_reports_no_secret() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let guard = one_span_for_http_export(format!("http://{closed}"), 500);
    if let Err(message) = guard.shutdown() {
        assert!(!message.contains("FLOETEST"), "{message}");
    }
}

#[test]
fn the_console_exporter_prints_one_sorted_line_per_span() {
    let capture = Capture::start();
    let mut span = TracerFactory::global().tracer("floe.test.console").start("console.line");
    span.set_attribute(opentelemetry::KeyValue::new("b.key", 2_i64));
    span.set_attribute(opentelemetry::KeyValue::new("a.key", "x"));
    span.set_status(opentelemetry::trace::Status::Ok);
    span.end();
    let data = capture.assert_one(expect::span("console.line"));
    let line = ConsoleExporter::format_span(&data);
    assert!(line.starts_with("span console.line [ok] "), "{line}");
    assert!(line.contains(&format!("trace={}", capture.trace_id())), "{line}");
    assert!(line.ends_with(" a.key=x b.key=2"), "{line}");
}

/// A collector that reads one request, writes a 200 head and then hands the connection to
/// `answer`, which writes the body; sends what `answer` returns (bytes written).
fn collector(
    answer: impl FnOnce(&mut TcpStream) -> usize + Send + 'static,
) -> (String, mpsc::Receiver<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let endpoint = format!("http://{}", listener.local_addr().expect("address"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else { return };
        stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
        stream.set_write_timeout(Some(Duration::from_secs(10))).ok();
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).ok();
        let head =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\nconnection: close\r\n\r\n";
        let _ = stream.write_all(head);
        let _ = tx.send(answer(&mut stream));
    });
    (endpoint, rx)
}

/// A collector whose answer is 50 MB of body (no length, until it closes), written as
/// fast as the client takes it.
fn huge_answer_collector() -> (String, mpsc::Receiver<usize>) {
    const HUGE: usize = 50_000_000;
    collector(|stream| {
        let chunk = vec![0x0a_u8; 1 << 20];
        let mut written = 0;
        while written < HUGE && stream.write_all(&chunk).is_ok() {
            written += chunk.len();
        }
        written
    })
}

#[test]
fn the_batch_exporter_reads_a_huge_collector_answer_only_up_to_its_limit() {
    let (endpoint, written) = huge_answer_collector();
    let guard = one_span_for_http_export(endpoint, 5000);

    let shut = guard.shutdown();

    let written = written.recv_timeout(Duration::from_secs(10)).expect("the collector answered");
    // opentelemetry-http reads at most 4 MiB of an answer and then drops the connection;
    // what the collector got out beyond that sits in the loopback socket buffers. Read to
    // the end, it would be all 50 MB.
    assert!(written < 25_000_000, "the exporter read {written} bytes of the answer");
    let message = shut.expect_err("the export of an oversized answer fails");
    assert!(message.contains("exceeded maximum allowed 4 MiB"), "{message}");
}

/// A collector that answers one byte every 200 ms for 20 s: each read of the answer comes
/// well inside any per-read timeout, so only a bound on the whole request ends it.
fn dribbling_collector() -> (String, mpsc::Receiver<usize>) {
    collector(|stream| {
        let mut written = 0;
        while written < 100 && stream.write_all(b"\x0a").and_then(|()| stream.flush()).is_ok() {
            written += 1;
            std::thread::sleep(Duration::from_millis(200));
        }
        written
    })
}

#[test]
fn the_batch_exporter_gives_up_on_a_dribbling_collector_within_its_timeout() {
    let (endpoint, _written) = dribbling_collector();
    let guard = one_span_for_http_export(endpoint, 1000);

    let started = Instant::now();
    let shut = guard.shutdown();
    let took = started.elapsed();

    // The flush at shutdown is the batch processor's export: the configured 1 s, plus one
    // second for the rest of the shutdown. Without the bound it takes the collector's 20 s.
    assert!(took < Duration::from_secs(2), "shutting down took {took:?}");
    // The exporter reports every transport error as a bare `network error`.
    let message = shut.expect_err("an export the collector never finished answering fails");
    assert!(message.contains("HTTP export failed: network error"), "{message}");
}
