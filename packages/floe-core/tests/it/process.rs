//! Running external tools with a timeout.

use std::time::{Duration, Instant};

use std::path::{Path, PathBuf};

use floe_core::process::{
    ProcessError, find_on_path, is_executable, locate_tool, run, run_with_input,
};
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

#[test]
fn a_tool_is_located_by_executable_then_virtualenv_then_path() {
    let explicit =
        locate_tool("dbt", Some(Path::new("/opt/dbt/bin/dbt")), Some(Path::new("/venv")));
    assert_eq!(explicit, PathBuf::from("/opt/dbt/bin/dbt"));
    assert_eq!(locate_tool("dbt", None, Some(Path::new("/venv"))), PathBuf::from("/venv/bin/dbt"));
    let sh = locate_tool("sh", None, None);
    assert!(sh.is_absolute() && is_executable(&sh), "{}", sh.display());
    assert_eq!(find_on_path("sh"), Some(sh));
    let missing = "floe-no-such-tool-on-path";
    assert_eq!(locate_tool(missing, None, None), PathBuf::from(missing));
    assert_eq!(find_on_path(missing), None);
}

#[tokio::test]
async fn input_beyond_the_argument_limit_reaches_the_program_through_stdin() {
    // 1 MiB: far past the 128 KiB a single argument may hold (E2BIG).
    let input: Vec<u8> = (0..1_048_576_u32).map(|i| b'a' + u8::try_from(i % 26).unwrap()).collect();
    let mut command = Command::new("sh");
    command.args(["-c", "wc -c; echo done >&2"]);
    let output = run_with_input(command, input, Duration::from_secs(10)).await.unwrap();
    assert!(output.status.success());
    assert_eq!(output.stdout.trim(), "1048576");
    assert_eq!(output.stderr, "done\n");
}

#[tokio::test]
async fn a_program_that_does_not_read_its_input_still_reports_its_status() {
    let mut command = Command::new("sh");
    command.args(["-c", "exit 4"]);
    let output =
        run_with_input(command, vec![b'x'; 1 << 20], Duration::from_secs(10)).await.unwrap();
    assert_eq!(output.status.code(), Some(4));
    let mut command = Command::new("sleep");
    command.arg("30");
    let err = run_with_input(command, b"x".to_vec(), Duration::from_millis(200)).await.unwrap_err();
    assert!(matches!(err, ProcessError::Timeout { .. }), "{err:?}");
}
