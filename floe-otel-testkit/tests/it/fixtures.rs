//! The rstest fixtures.

use floe_otel_testkit::fixtures::{detached_spans, planted_secret, spans};
use floe_otel_testkit::{Capture, expect};
use floe_telemetry::DomainSpan;
use rstest::rstest;

use crate::support::{DemoOp, TRACER};

#[rstest]
fn the_spans_fixture_is_attached(spans: Capture) {
    DomainSpan::start(TRACER, DemoOp::Send).succeed();
    spans.assert_one(expect::span("alert.send").root().ok());
}

#[rstest]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_detached_fixture_captures_bound_tasks(detached_spans: Capture) {
    tokio::spawn(
        detached_spans.bind(async { DomainSpan::start(TRACER, DemoOp::Deliver).succeed() }),
    )
    .await
    .unwrap();
    detached_spans.assert_exactly([expect::span("alert.deliver").root()]);
}

#[rstest]
fn planted_secrets_differ_and_carry_the_sentinel(
    #[from(planted_secret)] first: String,
    #[from(planted_secret)] second: String,
) {
    assert_ne!(first, second);
    assert!(first.starts_with(floe_otel_testkit::strategy::SENTINEL));
}

/// Stand-in programs written and run at once on many threads, each thread also starting
/// other processes (the forks that, with `std::fs::write`, carry a writable descriptor of
/// another thread's script into a child and make its `exec` fail with "Text file busy").
#[cfg(unix)]
#[test]
fn executables_written_on_many_threads_run_at_once() {
    use floe_otel_testkit::fixtures::write_executable;
    let dir = tempfile::tempdir().unwrap();
    std::thread::scope(|scope| {
        for thread in 0..8 {
            let dir = dir.path();
            scope.spawn(move || {
                for round in 0..25 {
                    let script = dir.join(format!("stand-in-{thread}-{round}"));
                    write_executable(&script, &format!("#!/bin/sh\necho {thread}-{round}\n"))
                        .unwrap();
                    let output = std::process::Command::new(&script)
                        .output()
                        .unwrap_or_else(|error| panic!("{}: {error}", script.display()));
                    assert_eq!(
                        String::from_utf8_lossy(&output.stdout),
                        format!("{thread}-{round}\n")
                    );
                }
            });
        }
    });
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir.path().join("stand-in-0-0")).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o755);
    let error = write_executable(dir.path().join("no-such-dir/x"), "").unwrap_err();
    assert!(error.to_string().contains("no-such-dir/x"), "{error}");
}
