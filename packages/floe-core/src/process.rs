//! Running the tools plugins drive (dbt, dlt, Dagster): a timeout on every run, the
//! process killed when it passes, and output that is sanitized before it is shown.

use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

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
        let text = if self.stderr.trim().is_empty() { &self.stdout } else { &self.stderr };
        let all: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        sanitize_error_message(&all[all.len().saturating_sub(lines)..].join("\n"))
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
    mut command: tokio::process::Command,
    timeout: Duration,
) -> Result<CommandOutput, ProcessError> {
    let program = std::path::Path::new(command.as_std().get_program())
        .file_name()
        .map_or_else(|| "program".to_owned(), |n| n.to_string_lossy().into_owned());
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    let started = Instant::now();
    let child = command
        .spawn()
        .map_err(|source| ProcessError::Spawn { program: program.clone(), source })?;
    // Dropping the child when the timeout fires kills it (kill_on_drop).
    match tokio::time::timeout(timeout, child.wait_with_output()).await {
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
