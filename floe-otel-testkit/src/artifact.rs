//! Trace artifacts for failing assertions: the captured trace written as OTLP JSON, the
//! OpenTelemetry protocol's JSON encoding, so it opens in trace viewers people already use.

use std::path::PathBuf;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;

use crate::spans::CapturedSpans;

/// The OTLP export request holding every span of the capture.
pub fn to_otlp(spans: &CapturedSpans) -> ExportTraceServiceRequest {
    let resource = ResourceAttributesWithSchema::from(spans.resource());
    ExportTraceServiceRequest {
        resource_spans: group_spans_by_resource_and_scope(spans.all().to_vec(), &resource),
    }
}

/// The capture as OTLP JSON.
///
/// # Errors
/// When serialization fails (it does not for span data the SDK produced).
pub fn to_otlp_json(spans: &CapturedSpans) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&to_otlp(spans))
}

/// Where failure traces go: `<target dir>/floe-traces/`.
pub fn directory() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .map_or_else(|| PathBuf::from("target"), |p| p.join("target"))
        },
        PathBuf::from,
    );
    target.join("floe-traces")
}

/// Writes the capture to `floe-traces/<test name>.json` and returns the line that tells
/// the developer where it is (empty if it could not be written: a failure report never
/// fails because of its artifact).
pub(crate) fn save_failure_trace(spans: &CapturedSpans) -> String {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("unnamed-test");
    let file: String = test
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    let dir = directory();
    let path = dir.join(format!("{file}.json"));
    let written = to_otlp_json(spans)
        .ok()
        .and_then(|json| std::fs::create_dir_all(&dir).ok().map(|()| json))
        .and_then(|json| std::fs::write(&path, json).ok());
    match written {
        Some(()) => format!("\n\ntrace saved as OTLP JSON: {}", path.display()),
        None => String::new(),
    }
}
