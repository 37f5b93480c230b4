//! rstest fixtures, and [`write_executable`] for the stand-in programs a test runs.
//!
//! ```
//! use floe_otel_testkit::{Capture, expect, fixtures::spans};
//! use rstest::rstest;
//!
//! #[rstest]
//! fn records_a_span(spans: Capture) {
//!     # use floe_telemetry::{DomainSpan, Operation};
//!     # #[derive(Clone, Copy)] struct Op;
//!     # impl Operation for Op { fn span_name(self) -> &'static str { "demo.op" } }
//!     DomainSpan::start("floe.demo", Op).succeed();
//!     spans.assert_one(expect::span("demo.op").ok());
//! }
//! ```

use rstest::fixture;

use crate::Capture;

/// A capture attached to the test's thread: spans made on that thread (and in
/// `#[tokio::test]` bodies, which run on it) are captured.
#[fixture]
pub fn spans() -> Capture {
    Capture::start()
}

/// A capture that is not attached: for work spread over a multi-thread runtime, wrap each
/// spawned future with [`Capture::bind`].
#[fixture]
pub fn detached_spans() -> Capture {
    Capture::detached()
}

/// A credential with the testkit sentinel, different for every test, for secret-leak
/// checks that do not need proptest.
#[fixture]
pub fn planted_secret() -> String {
    use opentelemetry_sdk::trace::IdGenerator as _;
    let random = opentelemetry_sdk::trace::RandomIdGenerator::default().new_trace_id();
    format!("{}-{random}", crate::strategy::SENTINEL)
}

/// A contract violation for alert-channel tests: contract `orders_contract` 2.1.0, a
/// `critical` `schema_drift` on model `fct_orders`, at a fixed time
/// (2026-01-15T09:30:00Z), with one detail.
///
/// ```
/// let violation = floe_otel_testkit::fixtures::contract_violation();
/// assert_eq!(violation.contract_name, "orders_contract");
/// ```
#[cfg(feature = "floe")]
#[fixture]
pub fn contract_violation() -> floe_core::plugin::categories::ContractViolation {
    use floe_core::plugin::categories::{ContractViolation, Severity};
    ContractViolation {
        contract_name: "orders_contract".to_owned(),
        contract_version: "2.1.0".to_owned(),
        violation_type: "schema_drift".to_owned(),
        severity: Severity::Critical,
        message: "column amount changed type from DECIMAL(10,2) to VARCHAR".to_owned(),
        affected_model: Some("fct_orders".to_owned()),
        timestamp: std::time::UNIX_EPOCH + std::time::Duration::from_mins(29_474_490),
        details: std::collections::BTreeMap::from([(
            "column".to_owned(),
            serde_json::Value::from("amount"),
        )]),
    }
}

/// `floe compile` of `manifest` (the YAML text) in process, as a plugin's configuration
/// tests need it: the plugins linked into the test binary, no artifacts written, and `env`
/// as the whole environment (`("FLOE_SECRET_DB", "…")` for `${secret:db}`, or any
/// `${env:…}` name). The manifest is written to a fresh directory that is removed after.
///
/// # Errors
/// The compile error, for tests that assert the message names the manifest key.
///
/// # Panics
/// When the temporary directory cannot be written.
///
/// ```
/// let error = floe_otel_testkit::fixtures::compile_manifest(
///     "api_version: floe/v1\nplatform: { name: p, namespace: n }\nplugins:\n  nope: {}\n",
///     &[],
/// )
/// .unwrap_err();
/// assert!(error.to_string().contains("nope"), "{error}");
/// ```
#[cfg(feature = "floe")]
pub fn compile_manifest(
    manifest: &str,
    env: &[(&str, &str)],
) -> Result<floe_core::compile::CompileOutcome, floe_core::compile::CompileError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "floe-testkit-compile-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("creating a scratch directory for the manifest");
    let path = dir.join("manifest.yaml");
    std::fs::write(&path, manifest).expect("writing the manifest");
    let lookup =
        |name: &str| env.iter().find(|(key, _)| *key == name).map(|(_, v)| (*v).to_owned());
    let registry = floe_core::plugin::registered();
    let outcome = floe_core::compile::compile(&floe_core::compile::CompileRequest {
        manifest: &path,
        output: None,
        registry: &registry,
        env: &lookup,
    });
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

/// Writes `text` to `path` as an executable file (mode 755): a stand-in program a test is
/// about to run (a fake interpreter, a script that sleeps past a timeout).
///
/// Written with `std::fs::write`, such a file can fail to start with "Text file busy"
/// (`ETXTBSY`) when tests run on threads: while one test holds the file open for writing,
/// another test's `Command::spawn` forks, its child inherits that descriptor until it
/// calls `exec`, and the kernel refuses to run a file open for writing anywhere. Here the
/// file is written by a `sh` child of its own, so no descriptor writing it is ever open
/// in the test process; it is closed, and executable, when this returns.
///
/// # Errors
/// When `sh` cannot be started or cannot write `path`.
#[cfg(unix)]
pub fn write_executable(path: impl AsRef<std::path::Path>, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let path = path.as_ref();
    let mut child = std::process::Command::new("sh")
        .args(["-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh"])
        .arg(path)
        .stdin(std::process::Stdio::piped())
        .spawn()?;
    let written = child.stdin.take().map_or(Ok(()), |mut stdin| stdin.write_all(text.as_bytes()));
    let status = child.wait()?;
    written?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("writing {} failed ({status})", path.display())))
    }
}
