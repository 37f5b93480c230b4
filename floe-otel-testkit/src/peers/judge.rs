//! Judges: independent implementations a test asks once for a verdict (Great Expectations
//! on a provider's results, Cube's compiler on a generated data model). One process, one
//! JSON request on its stdin, one JSON answer on its stdout, bounded in time.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::PeerError;

/// The last `lines` lines of `text`.
fn tail(text: &[u8], lines: usize) -> String {
    let text = String::from_utf8_lossy(text);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Runs `program args...` under `timeout`, writes `request` to its stdin as JSON and
/// parses what it prints on stdout as JSON. Batch every question of a test binary into one
/// call: a judge like Great Expectations takes seconds just to import.
///
/// # Errors
/// When the program cannot start, exits unsuccessfully, runs longer than `within` (it is
/// then killed), or prints something that is not JSON; the message quotes the end of its
/// stderr.
pub fn ask_json(
    name: &str,
    program: &Path,
    args: &[&str],
    envs: &[(&str, &str)],
    request: &serde_json::Value,
    within: Duration,
) -> Result<serde_json::Value, PeerError> {
    let input = serde_json::to_vec(request)
        .map_err(|e| PeerError(format!("encoding the request to {name}: {e}")))?;
    let mut child = Command::new("timeout")
        .arg("--kill-after=5")
        .arg(within.as_secs().max(1).to_string())
        .arg(program)
        .args(args)
        .envs(envs.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| PeerError(format!("starting {name} ({}): {e}", program.display())))?;
    // Written from another thread: a judge may answer before it has read everything.
    let mut stdin = child.stdin.take().ok_or_else(|| PeerError(format!("{name} has no stdin")))?;
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output =
        child.wait_with_output().map_err(|e| PeerError(format!("waiting for {name}: {e}")))?;
    let written = writer.join().map_err(|_| PeerError(format!("writing to {name} panicked")))?;
    match output.status.code() {
        Some(0) => {}
        Some(124 | 137) => {
            return Err(PeerError(format!(
                "{name} did not answer within {within:?}:\n{}",
                tail(&output.stderr, 40)
            )));
        }
        _ => {
            return Err(PeerError(format!(
                "{name} failed ({}):\n{}",
                output.status,
                tail(&output.stderr, 40)
            )));
        }
    }
    // Not JSON is the first thing said of a judge that printed something else: it may have
    // exited before reading the request, and which of the two errors the write then gets
    // (none, or a broken pipe) depends on timing.
    let answer = serde_json::from_slice(&output.stdout).map_err(|e| {
        PeerError(format!(
            "{name} did not answer JSON ({e}):\n{}\n{}",
            tail(&output.stdout, 10),
            tail(&output.stderr, 20)
        ))
    })?;
    // An answer to a request the judge did not read whole is no verdict.
    written.map_err(|e| PeerError(format!("writing the request to {name}: {e}")))?;
    Ok(answer)
}
