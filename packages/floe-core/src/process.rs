//! Running the tools plugins drive (dbt, dlt, Dagster): a timeout on every run, the
//! process killed when it passes, and output that is sanitized before it is shown.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::secret::{Secret, scrub};
use crate::telemetry::{SanitizedMessage, sanitize_error_message};

/// A finished run.
#[derive(Debug)]
pub struct CommandOutput {
    /// How it exited.
    pub status: ExitStatus,
    /// Standard output, as written (may hold secrets: sanitize before showing).
    pub stdout: String,
    /// Standard error, as written (may hold secrets: sanitize before showing).
    pub stderr: String,
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

/// Runs `command` with no standard input, capturing its output; kills it after `timeout`.
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
    command.stdin(stdin).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|source| ProcessError::Spawn { program: program.clone(), source })?;
    let writer = child.stdin.take().zip(input).map(|(mut pipe, bytes)| async move {
        // A program that stops reading early closes the pipe; its status tells why.
        let _ = pipe.write_all(&bytes).await;
        drop(pipe);
    });
    let finished = async {
        let (output, ()) = tokio::join!(child.wait_with_output(), async {
            if let Some(writer) = writer {
                writer.await;
            }
        });
        output
    };
    // Dropping the child when the timeout fires kills it (kill_on_drop).
    match tokio::time::timeout(timeout, finished).await {
        Err(_) => Err(ProcessError::Timeout { program, after: timeout }),
        Ok(Err(source)) => Err(ProcessError::Io { program, source }),
        Ok(Ok(output)) => Ok(CommandOutput {
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            elapsed: started.elapsed(),
        }),
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
