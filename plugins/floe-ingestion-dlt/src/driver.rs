//! Runs `driver.py` (one dlt operation) in the configured interpreter and reads the one
//! result line it prints.

use std::path::Path;
use std::time::Duration;

use floe_core::http::percent_decoded;
use floe_core::process::{self, ProcessError};
use floe_core::secret::Secret;
use floe_core::telemetry::sanitize_error_message;
use serde::Deserialize;

/// The script, passed with `python -c` so nothing is written next to the pipelines; it reads
/// its request from standard input.
const DRIVER: &str = include_str!("driver.py");
/// The prefix of the driver's result line.
const RESULT_PREFIX: &str = "FLOE_DLT_RESULT ";

/// Whether a failed run may succeed when run again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCategory {
    /// A connection problem, a timeout, a 429/5xx answer: retried.
    Transient,
    /// Anything else (bad settings, missing files, schema problems): not retried.
    Permanent,
    /// The source refused the credential (HTTP 401/403, SQLSTATE class 28, `MySQL` access
    /// denied): never retried, since retrying a refused password can lock the account.
    Authentication,
}

impl ErrorCategory {
    /// `transient`, `permanent` or `authentication`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Transient => "transient",
            Self::Permanent => "permanent",
            Self::Authentication => "authentication",
        }
    }
}

/// What dlt reported for a load.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct Loaded {
    #[serde(default)]
    pub load_id: String,
    #[serde(default, rename = "rows_loaded")]
    pub rows: u64,
    #[serde(default)]
    pub bytes: u64,
    #[serde(default)]
    pub duration_seconds: f64,
}

/// One driver run's outcome.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// It worked; a load reports what it loaded.
    Done(Option<Loaded>),
    /// dlt failed; the message is sanitized and holds no credential.
    Failed { category: ErrorCategory, message: String },
}

#[derive(Deserialize)]
struct ResultLine {
    ok: bool,
    #[serde(default)]
    category: Option<ErrorCategory>,
    #[serde(default)]
    error: String,
    #[serde(default)]
    load_id: Option<String>,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

/// The driver ended without a result line.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// The interpreter could not be run, or ran too long.
    #[error(transparent)]
    Process(#[from] ProcessError),
    /// It exited without reporting (dlt missing, a crash); the tail of its output.
    #[error("the dlt driver exited with {status} without a result: {tail}")]
    NoResult {
        /// The exit status.
        status: String,
        /// The end of its output, sanitized, credential removed.
        tail: String,
    },
}

/// What of `credential` a peer may echo: all of it, and the password of a connection URL
/// (`postgresql://user:<password>@host/db`), raw and percent-decoded.
fn credential_parts(credential: &str) -> Vec<String> {
    let mut parts = vec![credential.to_owned()];
    let userinfo = credential
        .split_once("://")
        .and_then(|(_, rest)| rest.split('/').next())
        .and_then(|authority| authority.rsplit_once('@'))
        .map(|(userinfo, _)| userinfo);
    if let Some((_, password)) = userinfo.and_then(|u| u.split_once(':')) {
        parts.push(password.to_owned());
        parts.push(percent_decoded(password));
    }
    parts.retain(|p| !p.is_empty());
    parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
    parts.dedup();
    parts
}

/// Removes `credential` (and its parts a peer may echo) from `text`, then sanitizes it.
fn scrub(text: &str, credential: Option<&Secret<String>>) -> String {
    let mut text = text.to_owned();
    for part in credential.map(|c| credential_parts(c.expose())).unwrap_or_default() {
        text = text.replace(part.as_str(), "<REDACTED>");
    }
    sanitize_error_message(&text).as_str().to_owned()
}

/// Runs one driver request.
pub(crate) async fn invoke(
    python: &str,
    work_dir: &Path,
    request: &serde_json::Value,
    credential: Option<&Secret<String>>,
    timeout: Duration,
) -> Result<Outcome, DriverError> {
    let mut command = tokio::process::Command::new(python);
    command
        .arg("-c")
        .arg(DRIVER)
        .current_dir(work_dir)
        // floe's bounded retry is the only one; dlt's own request retries would multiply it.
        .env("RUNTIME__REQUEST_MAX_ATTEMPTS", "1")
        .env("RUNTIME__DLTHUB_TELEMETRY", "false")
        .env_remove("FLOE_DLT_CREDENTIAL");
    if let Some(secret) = credential {
        command.env("FLOE_DLT_CREDENTIAL", secret.expose());
    }
    // The request (rows, source settings) goes on stdin: argv is readable by every local
    // user and bounded (E2BIG past 128 KiB).
    let output =
        process::run_with_input(command, request.to_string().into_bytes(), timeout).await?;
    let line = output.stdout.lines().rev().find_map(|line| line.strip_prefix(RESULT_PREFIX));
    let parsed = line.and_then(|line| serde_json::from_str::<ResultLine>(line).ok());
    let Some(result) = parsed else {
        let tail = scrub(output.output_tail(5).as_str(), credential);
        return Err(DriverError::NoResult { status: output.status.to_string(), tail });
    };
    if !result.ok {
        let category = result.category.unwrap_or(ErrorCategory::Permanent);
        return Ok(Outcome::Failed { category, message: scrub(&result.error, credential) });
    }
    if result.load_id.is_none() {
        return Ok(Outcome::Done(None));
    }
    let mut fields = result.rest;
    fields.insert("load_id".to_owned(), result.load_id.unwrap_or_default().into());
    let loaded = serde_json::from_value(serde_json::Value::Object(fields)).ok();
    Ok(Outcome::Done(loaded))
}
