//! What floe reads from a dbt command's output, and how it is cleaned before it may reach a
//! span or an error.
//!
//! Both engines are run with `--log-format json`: one JSON event per line on standard
//! output, `{"info": {"level", "msg", "name", ...}, "data": {...}}` (dbt-core's structured
//! logging, which Fusion's JSON format reproduces, its error messages prefixed
//! `[error] [Name (dbtNNNN)]:`). Errors are the events at level `error`; `dbt show`'s rows
//! are the `ShowNode` event's `data.preview`. Plain-text error lines are read too, for what
//! a CLI prints before its logging starts (an unknown flag, a bad value).

use std::path::Path;

use serde_json::{Map, Value};

use floe_core::secret::{Secret, scrub};
use floe_core::telemetry::{SanitizedMessage, sanitize_error_message};

/// Removes from dbt's text what must not reach a span: the values of the environment
/// handed to dbt and of `--vars` (dbt may echo either), and directories (a path inside
/// the project becomes relative to it; any other absolute path keeps its last component).
#[derive(Debug, Default)]
pub(crate) struct Cleaner {
    secrets: Vec<Secret<String>>,
    /// Directory prefixes and what replaces them, longest first.
    directories: Vec<(String, String)>,
}

impl Cleaner {
    /// A cleaner removing `secrets`.
    pub(crate) fn new(secrets: impl IntoIterator<Item = Secret<String>>) -> Self {
        Self { secrets: secrets.into_iter().collect(), directories: Vec::new() }
    }

    /// Also replaces the directory `dir`: a path inside it starts with `inside` instead
    /// (empty: the path becomes relative to `dir`), and `dir` itself reads `itself`.
    #[must_use]
    pub(crate) fn with_directory(mut self, dir: &Path, inside: &str, itself: &str) -> Self {
        let mut forms = vec![dir.to_path_buf()];
        if let Ok(canonical) = dir.canonicalize() {
            forms.push(canonical);
        }
        let inside = if inside.is_empty() { String::new() } else { format!("{inside}/") };
        for form in forms {
            let text = form.to_string_lossy().trim_end_matches('/').to_owned();
            if text.len() <= 1 {
                continue;
            }
            // Secrets are scrubbed first (a secret that holds a directory must not be cut
            // apart by it), so a directory whose name happens to hold a secret's text is
            // looked for as the scrub leaves it, too.
            let scrubbed = scrub(&text, &self.secrets);
            let mut spellings = vec![text];
            if scrubbed != spellings[0] {
                spellings.push(scrubbed);
            }
            for text in spellings {
                self.directories.push((format!("{text}/"), inside.clone()));
                self.directories.push((text, itself.to_owned()));
            }
        }
        self.directories.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
        self
    }

    /// `text` scrubbed, without directories, sanitized.
    pub(crate) fn clean(&self, text: &str) -> SanitizedMessage {
        let mut text = scrub(text, &self.secrets);
        for (prefix, replacement) in &self.directories {
            text = text.replace(prefix.as_str(), replacement);
        }
        sanitize_error_message(&strip_directories(&text))
    }

    /// The secrets it removes.
    pub(crate) fn secrets(&self) -> &[Secret<String>] {
        &self.secrets
    }
}

/// `text` with every absolute path reduced to its last component: a word that starts with
/// `/` (after a space, a quote, a bracket or `=`) and holds another `/`. URLs are left
/// alone (their `//` follows a scheme, not a word boundary).
pub(crate) fn strip_directories(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let boundary = |c: char| c.is_whitespace() || "\"'`([{=,:".contains(c);
    let mut previous: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        let starts_path = c == '/' && previous.is_none_or(boundary);
        if starts_path {
            let end = rest.find(|ch: char| ch.is_whitespace() || "\"'`)]},;".contains(ch));
            let word = &rest[..end.unwrap_or(rest.len())];
            let after_colon = previous == Some(':') && word.starts_with("//");
            if !after_colon && word[1..].contains('/') {
                let last = word.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
                out.push_str(last);
                previous = word.chars().last();
                rest = &rest[word.len()..];
                continue;
            }
        }
        out.push(c);
        previous = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The `info.msg` of the JSON log events (only error-level ones if `errors_only`), with
/// Fusion's `[error]` level prefix removed (its `[Name (dbtNNNN)]` code is kept). Fusion's
/// closing `CommandCompleted` event takes the run's severity, so it is an `error` event
/// when the run failed; it summarizes, it does not say what failed, and is skipped.
pub(crate) fn log_messages(stdout: &str, errors_only: bool) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|event| !errors_only || event["info"]["level"] == "error")
        .filter(|event| !errors_only || event["info"]["name"] != "CommandCompleted")
        .filter_map(|event| event["info"]["msg"].as_str().map(str::trim).map(without_level))
        // A Python traceback names dbt's own source files; the message before it says what failed.
        .filter(|msg| !msg.is_empty() && !msg.starts_with("Traceback (most recent call last)"))
        .collect()
}

fn without_level(msg: &str) -> String {
    msg.strip_prefix("[error]")
        .map_or(msg, |rest| rest.strip_prefix(':').unwrap_or(rest).trim_start())
        .to_owned()
}

/// Lines of plain-text output (standard error first) that report an error: what a CLI
/// prints before its logging starts (an unknown flag, a bad value).
pub(crate) fn error_lines<'a>(stdout: &'a str, stderr: &'a str) -> Vec<&'a str> {
    stderr
        .lines()
        .chain(stdout.lines())
        .map(str::trim)
        .filter(|l| l.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("error")))
        .collect()
}

/// The rows of the `ShowNode` log event (`data.preview`, a JSON text).
pub(crate) fn preview(stdout: &str) -> Option<Vec<Map<String, Value>>> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|event| event["info"]["name"] == "ShowNode")
        .and_then(|event| event["data"]["preview"].as_str().map(str::to_owned))
        .and_then(|text| serde_json::from_str(&text).ok())
}
