//! Running external tools with a timeout.

use std::time::{Duration, Instant};

use std::path::{Path, PathBuf};

use floe_core::process::{
    CommandOutput, OUTPUT_LIMIT, ProcessError, find_on_path, is_executable, locate_tool, run,
    run_with_input,
};
use floe_otel_testkit::peers::process_runs;
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

/// Polls `probe` every 20 ms for up to `within`: its first answer, or `None`.
async fn poll<T>(within: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(answer) = probe() {
            return Some(answer);
        }
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits up to 5 s for `pid` to stop (a zombie has stopped); whether it did.
async fn stops(pid: u32) -> bool {
    poll(Duration::from_secs(5), || (!process_runs(pid)).then_some(())).await.is_some()
}

/// Reads the pid a test's tool wrote to `file`, waiting up to 10 s for it.
async fn pid_in(file: &Path) -> u32 {
    poll(Duration::from_secs(10), || std::fs::read_to_string(file).ok()?.trim().parse().ok())
        .await
        .expect("the tool writes its child's pid")
}

/// Starts, as a task, a tool that starts a `sleep` and waits for it, with `timeout`;
/// returns the task and the `sleep`'s pid, once it runs.
async fn a_tool_with_a_child(
    timeout: Duration,
) -> (tokio::task::JoinHandle<Result<CommandOutput, ProcessError>>, u32) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("child.pid");
    let mut command = Command::new("sh");
    command.arg("-c").arg(format!("sleep 300 & echo $! > '{}'; wait", file.display()));
    let run = tokio::spawn(run(command, timeout));
    let child = pid_in(&file).await;
    assert!(process_runs(child));
    (run, child)
}

#[tokio::test]
async fn a_timeout_stops_what_the_tool_started_too() {
    // Dagster's run starts dbt, which would otherwise outlive a run floe gave up on.
    let (run, child) = a_tool_with_a_child(Duration::from_secs(5)).await;
    let err = run.await.unwrap().unwrap_err();
    assert!(matches!(err, ProcessError::Timeout { .. }), "{err:?}");
    assert!(stops(child).await, "the tool's child (pid {child}) outlived the timeout");
}

#[tokio::test]
async fn a_tool_that_exits_is_done_even_if_its_child_still_holds_its_output() {
    // Without the group kill, the background `sleep` keeps stdout open and the run would
    // wait for the timeout, then report the tool, which had finished, as timed out.
    let mut command = Command::new("sh");
    command.args(["-c", "sleep 300 & echo $!; echo finished >&2; exit 5"]);
    let started = Instant::now();
    let output = run(command, Duration::from_secs(30)).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    assert_eq!(output.status.code(), Some(5));
    assert_eq!(output.stderr, "finished\n");
    let child: u32 = output.stdout.trim().parse().unwrap();
    assert!(stops(child).await, "the tool's leftover child (pid {child}) still runs");
}

#[tokio::test]
async fn dropping_a_run_stops_the_tool_and_its_children() {
    // A host stops its tools by dropping the operation (Ctrl-C reaches the host only).
    let (run, child) = a_tool_with_a_child(Duration::from_mins(5)).await;
    run.abort();
    assert!(run.await.unwrap_err().is_cancelled());
    assert!(stops(child).await, "the tool's child (pid {child}) outlived the dropped run");
}

#[tokio::test]
async fn output_written_just_before_the_tool_exits_is_kept_whole() {
    // 1 MiB on each stream, more than a pipe holds: read while the tool runs, then to the
    // end after the group is stopped.
    let mut command = Command::new("sh");
    command.args(["-c", "head -c 1048576 /dev/zero | tr '\\0' a; head -c 1048576 /dev/zero >&2"]);
    let output = run(command, Duration::from_secs(30)).await.unwrap();
    assert!(output.status.success());
    assert_eq!(output.stdout.len(), 1_048_576);
    assert!(output.stdout.bytes().all(|b| b == b'a'));
    assert_eq!(output.stderr.len(), 1_048_576);
}

#[tokio::test]
async fn a_flood_of_output_is_kept_to_its_two_ends() {
    // 80 MiB between two markers, on both streams: memory stays bounded by OUTPUT_LIMIT.
    let mut command = Command::new("sh");
    command.args([
        "-c",
        "printf START; head -c 83886080 /dev/zero; printf END; \
         printf start >&2; head -c 83886080 /dev/zero >&2; printf end >&2",
    ]);
    let output = run(command, Duration::from_mins(1)).await.unwrap();
    assert!(output.status.success());
    let written = 5 + 83_886_080 + 3;
    assert_eq!(output.stdout_omitted, written - OUTPUT_LIMIT as u64);
    assert!(output.stdout.starts_with("START\0"), "{:?}", &output.stdout[..8]);
    assert!(output.stdout.ends_with("\0END"));
    let marker = format!("\n[floe: {} bytes of output left out]\n", output.stdout_omitted);
    assert!(output.stdout.contains(&marker));
    assert_eq!(output.stdout.len(), OUTPUT_LIMIT + marker.len());
    assert_eq!(output.stderr_omitted, written - OUTPUT_LIMIT as u64);
    assert!(output.stderr.starts_with("start\0") && output.stderr.ends_with("\0end"));
    // The tail callers quote is the stream's last line, not the marker.
    assert!(!output.output_tail(1).as_str().contains("left out"));
}
