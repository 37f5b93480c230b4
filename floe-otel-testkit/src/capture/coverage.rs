//! Coverage records: when a capture drops, one JSON line per span it saw (tracer, span
//! name, status, attribute keys, event names, test), which `cargo xtask registry-coverage`
//! merges into the registry's coverage.
//!
//! Written only with the `floe` feature (this workspace) or when `FLOE_COVERAGE_DIR` is set
//! (an explicit opt-in), and never when `FLOE_FAULT` is set (a fault-injection run) or
//! `FLOE_COVERAGE=0`. The directory is `$FLOE_COVERAGE_DIR`, else
//! `<target dir>/floe-coverage/`; each test process appends to its own
//! `<test binary file stem>-<pid>.jsonl`, one `write` per line.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};

use opentelemetry::trace::Status;
use opentelemetry_sdk::trace::SpanData;

use super::router::Bucket;

/// The open record file of this process, or `None` when records are off.
static FILE: OnceLock<Option<Mutex<File>>> = OnceLock::new();

/// Where records go, or `None` when they are off.
fn directory() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if var("FLOE_FAULT").is_some() || std::env::var_os("FLOE_COVERAGE").is_some_and(|v| v == "0") {
        return None;
    }
    if let Some(dir) = var("FLOE_COVERAGE_DIR") {
        return Some(PathBuf::from(dir));
    }
    cfg!(feature = "floe").then(|| crate::paths::target_dir().join("floe-coverage"))
}

fn file() -> Option<&'static Mutex<File>> {
    FILE.get_or_init(|| {
        let dir = directory()?;
        std::fs::create_dir_all(&dir).ok()?;
        let name = format!("{}-{}.jsonl", crate::paths::binary_stem(), std::process::id());
        OpenOptions::new().create(true).append(true).open(dir.join(name)).ok().map(Mutex::new)
    })
    .as_ref()
}

/// Appends one line per span of `bucket`.
pub(super) fn record(bucket: &Bucket) {
    let Some(file) = file() else { return };
    let spans = bucket.spans.lock().unwrap_or_else(PoisonError::into_inner);
    if spans.is_empty() {
        return;
    }
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("unnamed-test");
    let lines: Vec<String> = spans.iter().map(|span| line(span, test)).collect();
    drop(spans);
    let mut file = file.lock().unwrap_or_else(PoisonError::into_inner);
    for line in lines {
        // A record that cannot be written is a smaller coverage report, never a failure.
        let _ = file.write_all(line.as_bytes());
    }
}

/// One record, ending in a newline.
pub(crate) fn line(span: &SpanData, test: &str) -> String {
    let status = match span.status {
        Status::Ok => "ok",
        Status::Error { .. } => "error",
        Status::Unset => "unset",
    };
    let attributes: BTreeSet<&str> = span.attributes.iter().map(|kv| kv.key.as_str()).collect();
    let events: BTreeSet<&str> = span.events.iter().map(|e| e.name.as_ref()).collect();
    let record = serde_json::json!({
        "tracer": span.instrumentation_scope.name(),
        "span": span.name,
        "status": status,
        "attributes": attributes,
        "events": events,
        "test": test,
    });
    format!("{record}\n")
}
