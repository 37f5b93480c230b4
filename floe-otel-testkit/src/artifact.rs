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

/// Where failure traces go: `<target dir>/floe-traces/`, the target directory of the
/// crate whose test failed (`$CARGO_TARGET_DIR`, else its workspace's `target/`).
pub fn directory() -> PathBuf {
    crate::paths::target_dir().join("floe-traces")
}

/// The file a failing assertion on the current thread writes: one directory per test
/// binary (its file stem, hash included, so two crates' `tests/it` never collide) and one
/// file per test (the thread name `cargo test` gives it).
pub fn failure_trace_path() -> PathBuf {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("unnamed-test");
    directory()
        .join(crate::paths::file_safe(&crate::paths::binary_stem()))
        .join(format!("{}.json", crate::paths::file_safe(test)))
}

/// Writes the capture to [`failure_trace_path`] and returns the line that tells the
/// developer where it is (empty if it could not be written: a failure report never fails
/// because of its artifact).
pub(crate) fn save_failure_trace(spans: &CapturedSpans) -> String {
    let path = failure_trace_path();
    let written = to_otlp_json(spans).ok().and_then(|json| {
        let dir = path.parent()?;
        std::fs::create_dir_all(dir).ok()?;
        std::fs::write(&path, json).ok()
    });
    match written {
        Some(()) => format!("\n\ntrace saved as OTLP JSON: {}", path.display()),
        None => String::new(),
    }
}
