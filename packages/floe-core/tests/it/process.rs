//! Running external tools with a timeout.

use std::time::{Duration, Instant};

use floe_core::process::{ProcessError, run};
use tokio::process::Command;

#[tokio::test]
async fn output_and_status_are_captured_and_the_tail_is_sanitized() {
    let mut command = Command::new("sh");
    command
        .args(["-c", "echo ok; echo 'connect postgres://u:FLOETEST-pw@db/x failed' >&2; exit 3"]);
    let output = run(command, Duration::from_secs(10)).await.unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(output.stdout, "ok\n");
    assert_eq!(output.output_tail(5).as_str(), "connect postgres://<REDACTED>@db/x failed");
}

#[tokio::test]
async fn a_run_past_its_timeout_is_killed_and_reported() {
    let mut command = Command::new("sleep");
    command.arg("30");
    let started = Instant::now();
    let err = run(command, Duration::from_millis(200)).await.unwrap_err();
    assert!(matches!(err, ProcessError::Timeout { .. }));
    assert_eq!(err.to_string(), "sleep did not finish within 200ms and was stopped");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_missing_program_is_a_spawn_error_naming_it() {
    let err = run(Command::new("/nonexistent/dbt"), Duration::from_secs(1)).await.unwrap_err();
    assert_eq!(err.to_string(), "cannot start dbt");
}
