//! Running the tools plugins drive (dbt, dlt, Dagster): a timeout on every run, the
//! tool and everything it started stopped when it passes, and output that is sanitized
//! before it is shown.
//!
//! Each tool runs in a process group of its own, and the group, not only the tool's own
//! process, is what gets killed: a timeout (or a dropped run) stops the processes the
//! tool started too (Dagster's run starts `dbt`), and when the tool exits, whatever it
//! left running in its group is killed, so a background child still holding the tool's
//! output cannot keep the run open until the timeout. The cost: a terminal's Ctrl-C
//! reaches the host process, not the tool. A host stops its tools by dropping the
//! operation's future (`tokio::select!` on `tokio::signal::ctrl_c()`), which kills each
//! running tool's group; a host that dies of the signal without unwinding leaves them.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use crate::secret::{Secret, scrub};
use crate::telemetry::{SanitizedMessage, sanitize_error_message};

/// How many bytes of each output stream a run keeps: the first half and the last half of
/// this. What a tool writes between them is left out, a line in its place saying how
/// much, so a tool flooding its output cannot exhaust floe's memory; what callers read
/// (a report at the start, a result line or an error at the end) is at either end.
pub const OUTPUT_LIMIT: usize = 32 << 20;

/// A finished run.
#[derive(Debug)]
pub struct CommandOutput {
    /// How it exited.
    pub status: ExitStatus,
    /// Standard output, as written (may hold secrets: sanitize before showing); beyond
    /// [`OUTPUT_LIMIT`], its two ends.
    pub stdout: String,
    /// Standard error, likewise.
    pub stderr: String,
    /// How many bytes of standard output were left out (0: `stdout` is whole).
    pub stdout_omitted: u64,
    /// How many bytes of standard error were left out.
    pub stderr_omitted: u64,
    /// How long it ran.
    pub elapsed: Duration,
}

impl CommandOutput {
    /// The last `lines` lines of standard error (or standard output if standard error is
    /// empty), sanitized: what an error message may quote.
    pub fn output_tail(&self, lines: usize) -> SanitizedMessage {
        self.output_tail_scrubbed(lines, [])
    }

    /// Like [`output_tail`](Self::output_tail), with every value of `secrets` (credentials
    /// the caller handed the tool, which it may echo in any shape) removed before the text
    /// is sanitized.
    pub fn output_tail_scrubbed<'a>(
        &self,
        lines: usize,
        secrets: impl IntoIterator<Item = &'a Secret<String>>,
    ) -> SanitizedMessage {
        let text = if self.stderr.trim().is_empty() { &self.stdout } else { &self.stderr };
        let all: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let tail = all[all.len().saturating_sub(lines)..].join("\n");
        sanitize_error_message(&scrub(&tail, secrets))
    }
}

/// A run that did not finish.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// The program could not be started.
    #[error("cannot start {program}")]
    Spawn {
        /// The program's file name.
        program: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// It ran longer than allowed and was killed.
    #[error("{program} did not finish within {after:?} and was stopped")]
    Timeout {
        /// The program's file name.
        program: String,
        /// The limit.
        after: Duration,
    },
    /// Its output could not be read.
    #[error("reading the output of {program}")]
    Io {
        /// The program's file name.
        program: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Runs `command` with no standard input, capturing its output; kills it, and what it
/// started, after `timeout` (module docs).
///
/// # Errors
/// [`ProcessError`] when it cannot start, times out, or its output cannot be read. A
/// non-zero exit is not an error here: the caller reads `status`.
pub async fn run(
    command: tokio::process::Command,
    timeout: Duration,
) -> Result<CommandOutput, ProcessError> {
    run_inner(command, None, timeout).await
}

/// Like [`run`], with `input` written to the program's standard input (then closed):
/// the channel for what must not be on its command line, which every local user can
/// read (`/proc/<pid>/cmdline`) and which is bounded (E2BIG past 128 KiB per argument).
/// The input is written while the output is read, so neither side can block the other.
///
/// # Errors
/// As [`run`]. A program that exits without reading all of its input is not an error
/// (the broken pipe is ignored): its exit status says what happened.
pub async fn run_with_input(
    command: tokio::process::Command,
    input: Vec<u8>,
    timeout: Duration,
) -> Result<CommandOutput, ProcessError> {
    run_inner(command, Some(input), timeout).await
}

async fn run_inner(
    mut command: tokio::process::Command,
    input: Option<Vec<u8>>,
    timeout: Duration,
) -> Result<CommandOutput, ProcessError> {
    use tokio::io::AsyncWriteExt as _;

    let program = Path::new(command.as_std().get_program())
        .file_name()
        .map_or_else(|| "program".to_owned(), |n| n.to_string_lossy().into_owned());
    let stdin = if input.is_some() { Stdio::piped() } else { Stdio::null() };
    command
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0);
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|source| ProcessError::Spawn { program: program.clone(), source })?;
    // Created before anything can fail or be cancelled: dropping it kills the group.
    let group = ToolGroup::of(&child);
    let io_error = |source| ProcessError::Io { program: program.clone(), source };
    let (Some(mut out_pipe), Some(mut err_pipe)) = (child.stdout.take(), child.stderr.take())
    else {
        return Err(io_error(std::io::Error::other("the output pipes were not created")));
    };
    let writer = child.stdin.take().zip(input).map(|(mut pipe, bytes)| async move {
        // A program that stops reading early closes the pipe; its status tells why.
        let _ = pipe.write_all(&bytes).await;
        drop(pipe);
    });
    let finished = async {
        // The output is read while the tool runs (a full pipe would stop it), and to its
        // end once the tool has exited and its group has been stopped.
        let waited = async {
            let status = child.wait().await;
            group.kill_leftovers();
            status
        };
        let (status, stdout, stderr, ()) = tokio::join!(
            waited,
            read_bounded(&mut out_pipe, OUTPUT_LIMIT),
            read_bounded(&mut err_pipe, OUTPUT_LIMIT),
            async {
                if let Some(writer) = writer {
                    writer.await;
                }
            }
        );
        Ok((status?, stdout?, stderr?))
    };
    // When the timeout fires, dropping `finished` and then `group` kills the group.
    let outcome = tokio::time::timeout(timeout, finished).await;
    drop(group);
    match outcome {
        Err(_) => Err(ProcessError::Timeout { program, after: timeout }),
        Ok(Err(source)) => Err(io_error(source)),
        Ok(Ok((status, stdout, stderr))) => Ok(CommandOutput {
            status,
            stdout_omitted: stdout.omitted,
            stderr_omitted: stderr.omitted,
            stdout: stdout.into_text(),
            stderr: stderr.into_text(),
            elapsed: started.elapsed(),
        }),
    }
}

/// One output stream, read to its end: its first `limit / 2` bytes, its last `limit / 2`,
/// and how many lay between.
struct BoundedOutput {
    head: Vec<u8>,
    tail: Vec<u8>,
    omitted: u64,
}

impl BoundedOutput {
    /// Drops the tail's oldest bytes beyond `keep`, counting them as left out.
    fn keep_last(&mut self, keep: usize) {
        let excess = self.tail.len().saturating_sub(keep);
        self.tail.drain(..excess);
        self.omitted += excess as u64;
    }

    /// The text: both ends, and between them a line saying how much was left out.
    fn into_text(self) -> String {
        let head = String::from_utf8_lossy(&self.head);
        let tail = String::from_utf8_lossy(&self.tail);
        if self.omitted == 0 {
            return format!("{head}{tail}");
        }
        format!("{head}\n[floe: {} bytes of output left out]\n{tail}", self.omitted)
    }
}

async fn read_bounded(
    pipe: &mut (impl tokio::io::AsyncRead + Unpin),
    limit: usize,
) -> std::io::Result<BoundedOutput> {
    use tokio::io::AsyncReadExt as _;

    let half = limit / 2;
    let mut out = BoundedOutput { head: Vec::new(), tail: Vec::new(), omitted: 0 };
    let mut chunk = vec![0_u8; 64 * 1024];
    loop {
        let read = pipe.read(&mut chunk).await?;
        if read == 0 {
            break;
        }
        let mut bytes = &chunk[..read];
        let room = half.saturating_sub(out.head.len());
        let (into_head, rest) = bytes.split_at(room.min(bytes.len()));
        out.head.extend_from_slice(into_head);
        bytes = rest;
        out.tail.extend_from_slice(bytes);
        // Trimmed once it holds twice what it keeps: each byte is moved at most once on
        // average.
        if out.tail.len() >= 2 * half.max(1) {
            out.keep_last(half);
        }
    }
    out.keep_last(half);
    Ok(out)
}

/// The process group a tool leads (it was started with `process_group(0)`, so the group's
/// id is its pid). Dropping it kills the whole group, unless [`kill_leftovers`] already
/// did.
///
/// The group id stays the tool's while any member runs: Linux does not hand out a pid that
/// a live process still uses as its group id. `kill_leftovers` runs just after the tool
/// has been reaped; if nothing was left, the id may be free again, and the signal would
/// reach another process only if one had been given that pid, and made itself a group
/// leader, in between: pids are handed out in increasing order, wrapping at `pid_max`
/// (32768 on this project's machine), so one is reused only after that many others.
///
/// [`kill_leftovers`]: Self::kill_leftovers
struct ToolGroup(AtomicI32);

impl ToolGroup {
    fn of(child: &tokio::process::Child) -> Self {
        // `id()` is `None` only once the child has been reaped, never right after spawn.
        Self(AtomicI32::new(child.id().and_then(|id| i32::try_from(id).ok()).unwrap_or(0)))
    }

    /// Kills the group, once: after the tool has exited, what it started and left running.
    fn kill_leftovers(&self) {
        if let Some(group) = rustix::process::Pid::from_raw(self.0.swap(0, Ordering::Relaxed)) {
            // ESRCH: nothing was left. Nothing else can fail for our own child's group.
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
    }
}

impl Drop for ToolGroup {
    fn drop(&mut self) {
        self.kill_leftovers();
    }
}

/// The first executable file called `name` in the directories of `PATH`.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| is_executable(p))
}

/// Where a tool's executable is: `executable` when configured, else `<venv>/bin/<name>`
/// when a virtualenv is configured, else `name` found on `PATH`, else `name` itself (so
/// that starting it fails with [`ProcessError::Spawn`] naming it).
pub fn locate_tool(name: &str, executable: Option<&Path>, venv: Option<&Path>) -> PathBuf {
    if let Some(executable) = executable {
        return executable.to_owned();
    }
    if let Some(venv) = venv {
        return venv.join("bin").join(name);
    }
    find_on_path(name).unwrap_or_else(|| PathBuf::from(name))
}

/// Whether `path` is a file someone may execute.
pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::read_bounded;

    #[tokio::test]
    async fn output_past_the_limit_keeps_both_ends_and_counts_the_middle() {
        // Lengths around the limit (10) and past the reader's 64 KiB chunk.
        for len in [0_usize, 4, 5, 9, 10, 11, 15, 100, 65_536, 200_001] {
            let input: Vec<u8> = (0..len).map(|i| u8::try_from(i % 251).unwrap()).collect();
            let out = read_bounded(&mut input.as_slice(), 10).await.unwrap();
            let kept = len.min(10);
            assert_eq!(out.omitted, (len - kept) as u64, "len {len}");
            assert_eq!(out.head, input[..len.min(5)], "len {len}");
            assert_eq!(out.tail, input[len.min(5).max(len.saturating_sub(5))..], "len {len}");
        }
    }
}
