//! Coverage records (read by `cargo xtask registry-coverage`): one JSON line per span a
//! capture saw, written when it drops; only with floe support or `FLOE_COVERAGE_DIR`,
//! never in a fault-injection run or with `FLOE_COVERAGE=0`.

use std::path::{Path, PathBuf};
use std::process::Command;

use floe_otel_testkit::Capture;
use opentelemetry::KeyValue;
use opentelemetry::trace::Status;
use opentelemetry_sdk::trace::{IdGenerator as _, RandomIdGenerator};

use crate::support::span;

/// The directory the contract says records go to in this process, or `None`.
fn expected_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if var("FLOE_FAULT").is_some() || var("FLOE_COVERAGE").is_some_and(|v| v == "0") {
        return None;
    }
    if let Some(dir) = var("FLOE_COVERAGE_DIR") {
        return Some(PathBuf::from(dir));
    }
    cfg!(feature = "floe").then(target_coverage_dir)
}

fn target_coverage_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"), PathBuf::from);
    target.join("floe-coverage")
}

/// This process's record file in `dir`.
fn record_file(dir: &Path) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary");
    let stem = exe.file_stem().expect("a file name").to_string_lossy().into_owned();
    dir.join(format!("{stem}-{}.jsonl", std::process::id()))
}

fn records_of(dir: &Path, span_name: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(record_file(dir))
        .unwrap_or_default()
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).expect("one JSON object per line")
        })
        .filter(|record| record["span"] == span_name)
        .collect()
}

#[test]
fn records_follow_the_environment() {
    let name: &'static str = Box::leak(
        format!("coverage.{}", RandomIdGenerator::default().new_span_id()).into_boxed_str(),
    );
    let capture = Capture::start();
    span(
        name,
        vec![
            KeyValue::new("b.key", 1_i64),
            KeyValue::new("a.key", "x"),
            KeyValue::new("b.key", 2_i64),
        ],
        vec![("retry", vec![]), ("exception", vec![]), ("retry", vec![])],
        Status::error("refused"),
    );
    drop(capture);
    if let Some(dir) = expected_dir() {
        let records = records_of(&dir, name);
        assert_eq!(
            records,
            [serde_json::json!({
                "tracer": crate::support::TRACER,
                "span": name,
                "status": "error",
                "attributes": ["a.key", "b.key"],
                "events": ["exception", "retry"],
                "test": "coverage::records_follow_the_environment",
            })],
            "in {}",
            record_file(&dir).display()
        );
    } else {
        let mut places = vec![target_coverage_dir()];
        places.extend(std::env::var_os("FLOE_COVERAGE_DIR").map(PathBuf::from));
        for dir in places {
            assert!(records_of(&dir, name).is_empty(), "a record in {}", dir.display());
        }
    }
}

/// Runs [`records_follow_the_environment`] in a child process with `env` set.
fn in_child(env: &[(&str, &str)]) {
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command.args(["coverage::records_follow_the_environment", "--exact", "--test-threads=1"]);
    for var in ["FLOE_FAULT", "FLOE_COVERAGE", "FLOE_COVERAGE_DIR"] {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    let output = command.output().expect("the child test runs");
    assert!(
        output.status.success() && String::from_utf8_lossy(&output.stdout).contains("1 passed"),
        "child with {env:?}:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn an_outside_user_opts_in_with_a_directory_and_a_fault_run_or_an_opt_out_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    in_child(&[("FLOE_COVERAGE_DIR", path)]);
    let written: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(written.len(), 1, "one file per test process");
    in_child(&[("FLOE_COVERAGE_DIR", path), ("FLOE_FAULT", "ok-on-failure")]);
    in_child(&[("FLOE_COVERAGE_DIR", path), ("FLOE_COVERAGE", "0")]);
    in_child(&[("FLOE_FAULT", "ok-on-failure")]);
    let after: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(after.len(), 1, "no file from the fault run or the opt-out");
}
