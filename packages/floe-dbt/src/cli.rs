//! `DbtCli`: one dbt command run as a process, traced as `dbt.run_command` with a
//! `dbt.node` child per node of the `run_results.json` it wrote.

use std::path::{Path, PathBuf};
use std::time::Duration;

use floe_core::KeyValue;
use serde_json::{Map, Value};

use super::artifacts::{ArtifactError, RunResults};
use super::nodes::{TestFailures, record_nodes};
use floe_core::plugin::categories::{DbtCommand, DbtCommandResult, DbtOptions};
use floe_core::process::{CommandOutput, ProcessError, run};
use floe_core::secret::{Secret, scrub};
use floe_core::telemetry::ops::DbtOp;
use floe_core::telemetry::{
    SanitizedMessage, SpanRecorder, attr, in_span_async, sanitize_error_message,
};

/// The longest a dbt command may run unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_mins(30);

/// Which dbt CLI runs the commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// The Python dbt-core CLI (`dbt`), with an adapter such as dbt-duckdb.
    Core,
    /// The dbt Fusion CLI (`dbtf`).
    Fusion,
}

impl Engine {
    /// The value of `dbt.engine`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Core => "dbt-core",
            Self::Fusion => "fusion",
        }
    }
}

/// A dbt command that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum DbtError {
    /// The project directory has no `dbt_project.yml`.
    #[error("{dir} holds no dbt_project.yml")]
    ProjectNotFound {
        /// The directory.
        dir: String,
    },
    /// The process could not run to its end.
    #[error("dbt {command} did not run")]
    Process {
        /// The command.
        command: &'static str,
        /// Why.
        #[source]
        source: ProcessError,
    },
    /// dbt ran and reported failure.
    #[error("dbt {command} failed ({status}): {summary}")]
    Failed {
        /// The command.
        command: &'static str,
        /// How the process exited.
        status: String,
        /// What failed: failing nodes, or dbt's error messages (sanitized).
        summary: SanitizedMessage,
        /// What `run_results.json` says, when dbt got that far.
        result: Option<Box<DbtCommandResult>>,
    },
    /// dbt reported success but wrote no results.
    #[error("dbt {command} wrote no {file}")]
    MissingArtifact {
        /// The command.
        command: &'static str,
        /// The artifact's file name.
        file: &'static str,
    },
    /// An artifact exists but cannot be used.
    #[error("dbt {command}: unusable artifact")]
    Artifact {
        /// The command.
        command: &'static str,
        /// Why.
        #[source]
        source: ArtifactError,
    },
    /// Lint (or another report) printed something that is not its JSON report.
    #[error("{tool} printed no report floe can read")]
    Report {
        /// The tool.
        tool: &'static str,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// `dbt show` printed no preview.
    #[error("dbt show printed no preview")]
    NoPreview,
    /// `lint` was given to dbt; SQLFluff runs it ([`super::Sqlfluff`]).
    #[error("{command} is not a dbt command")]
    NotADbtCommand {
        /// The command.
        command: &'static str,
    },
}

impl DbtError {
    /// The results of a command that failed after writing them.
    pub fn result(&self) -> Option<&DbtCommandResult> {
        match self {
            Self::Failed { result, .. } => result.as_deref(),
            _ => None,
        }
    }
}

/// Runs dbt commands with one executable: arguments, environment, timeout, artifacts and
/// spans.
#[derive(Clone, Debug)]
pub struct DbtCli {
    program: PathBuf,
    engine: Engine,
    timeout: Duration,
    env: Vec<(String, Secret<String>)>,
}

impl DbtCli {
    /// Commands run by `program` (`/venv/bin/dbt`, `dbtf`), with [`DEFAULT_TIMEOUT`].
    pub fn new(program: impl Into<PathBuf>, engine: Engine) -> Self {
        Self { program: program.into(), engine, timeout: DEFAULT_TIMEOUT, env: Vec::new() }
    }

    /// Sets the timeout of every command.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Hands `name` to every command's environment (profiles read it with
    /// `{{ env_var('name') }}`, so credentials stay out of `profiles.yml`). Its value is
    /// removed from any output floe quotes.
    #[must_use]
    pub fn with_env(mut self, name: impl Into<String>, value: Secret<String>) -> Self {
        self.env.push((name.into(), value));
        self
    }

    /// The executable.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// The engine.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The arguments of `command` with `options` (and, for `show`, an inline query).
    pub fn args(
        &self,
        command: DbtCommand,
        options: &DbtOptions,
        inline: Option<&str>,
    ) -> Vec<String> {
        let mut args = vec![command.as_str().to_owned()];
        let mut push = |flag: &str, value: &str| {
            args.push(flag.to_owned());
            args.push(value.to_owned());
        };
        push("--project-dir", &options.project_dir.to_string_lossy());
        if let Some(dir) = &options.profiles_dir {
            push("--profiles-dir", &dir.to_string_lossy());
        }
        if let Some(target) = &options.target {
            push("--target", target);
        }
        if let Some(vars) = &options.vars {
            push("--vars", vars);
        }
        if let Some(sql) = inline {
            push("--inline", sql);
        }
        if command == DbtCommand::Show {
            push("--output", "json");
        }
        if self.engine == Engine::Core {
            // One JSON event per line: errors are read from it, not from coloured text.
            push("--log-format", "json");
        }
        if !options.select.is_empty() {
            args.push("--select".to_owned());
            args.extend(options.select.iter().cloned());
        }
        args
    }

    /// Runs `command` in a `dbt.run_command` span (with `attributes` added), then emits a
    /// `dbt.node` child per node of `run_results.json`.
    ///
    /// # Errors
    /// [`DbtError`]: the project is missing, the process did not run, dbt failed (with
    /// the results when it wrote them), or its artifacts are unusable. With
    /// [`TestFailures::Report`], a `test` command whose only failures are failing tests
    /// returns `Ok` with `success = false`.
    pub async fn execute(
        &self,
        tracer_name: &'static str,
        command: DbtCommand,
        options: &DbtOptions,
        failures: TestFailures,
        attributes: Vec<KeyValue>,
    ) -> Result<DbtCommandResult, DbtError> {
        let mut all = self.span_attributes(command, options);
        all.extend(attributes);
        in_span_async(tracer_name, DbtOp::RunCommand, all, |span| async move {
            self.run_traced(tracer_name, &span, command, options, None, failures)
                .await
                .map(|(r, _)| r)
        })
        .await
    }

    /// Runs `dbt show --inline <sql>` (traced like [`execute`](Self::execute)) and returns
    /// the preview rows. The SQL is never recorded.
    ///
    /// # Errors
    /// As [`execute`](Self::execute), and [`DbtError::NoPreview`] when dbt printed none.
    pub async fn show_inline(
        &self,
        tracer_name: &'static str,
        options: &DbtOptions,
        sql: &str,
    ) -> Result<Vec<Map<String, Value>>, DbtError> {
        let command = DbtCommand::Show;
        let attributes = self.span_attributes(command, options);
        in_span_async(tracer_name, DbtOp::RunCommand, attributes, |span| async move {
            let (_, output) = self
                .run_traced(tracer_name, &span, command, options, Some(sql), TestFailures::Fail)
                .await?;
            preview(&output.stdout).ok_or(DbtError::NoPreview)
        })
        .await
    }

    fn span_attributes(&self, command: DbtCommand, options: &DbtOptions) -> Vec<KeyValue> {
        let mut attributes = vec![
            KeyValue::new(attr::DBT_COMMAND, command.as_str()),
            KeyValue::new(attr::DBT_ENGINE, self.engine.as_str()),
        ];
        if let Some(target) = &options.target {
            attributes.push(KeyValue::new(attr::DBT_TARGET, target.clone()));
        }
        attributes
    }

    async fn run_traced(
        &self,
        tracer_name: &'static str,
        span: &SpanRecorder,
        command: DbtCommand,
        options: &DbtOptions,
        inline: Option<&str>,
        failures: TestFailures,
    ) -> Result<(DbtCommandResult, CommandOutput), DbtError> {
        let name = command.as_str();
        if command == DbtCommand::Lint {
            return Err(DbtError::NotADbtCommand { command: name });
        }
        let project = &options.project_dir;
        if !project.join("dbt_project.yml").is_file() {
            return Err(DbtError::ProjectNotFound { dir: project.display().to_string() });
        }
        let results_path = project.join("target").join("run_results.json");
        // A stale file from an earlier command must not pass for this one's results.
        let _ = std::fs::remove_file(&results_path);
        let mut process = tokio::process::Command::new(&self.program);
        process
            .args(self.args(command, options, inline))
            .current_dir(project)
            .env("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
            .env("DO_NOT_TRACK", "1")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.expose().as_str())));
        let output = run(process, self.timeout)
            .await
            .map_err(|source| DbtError::Process { command: name, source })?;
        let success = output.status.success();
        let result = RunResults::read(&results_path)
            .map_err(|source| DbtError::Artifact { command: name, source })?
            .map(|r| r.into_command_result(command, success, |text| self.clean(text)));
        if let Some(result) = &result {
            record_nodes(tracer_name, span.context(), result, failures);
            span.set_attributes([
                KeyValue::new(attr::DBT_NODES_COUNT, count(result.nodes.len())),
                KeyValue::new(attr::DBT_FAILURES, count(result.failures().len())),
            ]);
        }
        match result {
            Some(result) if success => Ok((result, output)),
            None if success => {
                Err(DbtError::MissingArtifact { command: name, file: "run_results.json" })
            }
            Some(result) if reported_test_failures(command, failures, &result) => {
                Ok((result, output))
            }
            result => Err(DbtError::Failed {
                command: name,
                status: exit_status(&output),
                summary: self.summary(&output, result.as_ref()),
                result: result.map(Box::new),
            }),
        }
    }

    /// Sanitized text with the configured environment's values removed first.
    pub(crate) fn clean(&self, text: &str) -> SanitizedMessage {
        sanitize_error_message(&scrub(text, self.env.iter().map(|(_, v)| v)))
    }

    /// What failed: the failing nodes, else dbt's error events, else the output's tail.
    fn summary(
        &self,
        output: &CommandOutput,
        result: Option<&DbtCommandResult>,
    ) -> SanitizedMessage {
        if let Some(result) = result {
            let failed = result.failures();
            if !failed.is_empty() {
                let shown: Vec<String> = failed
                    .iter()
                    .take(3)
                    .map(|n| match &n.message {
                        Some(message) => format!("{} ({message})", n.unique_id),
                        None => n.unique_id.clone(),
                    })
                    .collect();
                let more = if failed.len() > 3 { "; ..." } else { "" };
                return self.clean(&format!(
                    "{} of {} nodes failed: {}{more}",
                    failed.len(),
                    result.nodes.len(),
                    shown.join("; ")
                ));
            }
        }
        let events = log_messages(&output.stdout, true);
        if !events.is_empty() {
            return self.clean(&events.join("; "));
        }
        // Plain-text output (Fusion): its error lines start with `error`.
        let errors = error_lines(&output.stdout, &output.stderr);
        if !errors.is_empty() {
            return self.clean(&errors[errors.len().saturating_sub(3)..].join("\n"));
        }
        if output.stderr.trim().is_empty() {
            let all = log_messages(&output.stdout, false);
            if !all.is_empty() {
                return self.clean(&all[all.len().saturating_sub(3)..].join("; "));
            }
        }
        output.output_tail_scrubbed(5, self.env.iter().map(|(_, v)| v))
    }
}

/// A `test` command whose failures are all failing tests, when those are results.
fn reported_test_failures(
    command: DbtCommand,
    failures: TestFailures,
    result: &DbtCommandResult,
) -> bool {
    command == DbtCommand::Test
        && failures == TestFailures::Report
        && !result.nodes.is_empty()
        && result.failures().iter().all(|n| n.status == "fail")
}

/// How the process ended, in words.
pub(crate) fn exit_status(output: &CommandOutput) -> String {
    output
        .status
        .code()
        .map_or_else(|| "killed by a signal".to_owned(), |c| format!("exit status {c}"))
}

/// An `i64` attribute value from a count.
pub(crate) fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The `info.msg` of dbt's JSON log events (only error-level ones if `errors_only`).
pub(super) fn log_messages(stdout: &str, errors_only: bool) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|event| !errors_only || event["info"]["level"] == "error")
        .filter_map(|event| event["info"]["msg"].as_str().map(str::trim).map(str::to_owned))
        // A Python traceback names dbt's own source files; the message before it says what failed.
        .filter(|msg| !msg.is_empty() && !msg.starts_with("Traceback (most recent call last)"))
        .collect()
}

/// Lines of plain-text output (standard error first) that report an error.
pub(super) fn error_lines<'a>(stdout: &'a str, stderr: &'a str) -> Vec<&'a str> {
    stderr
        .lines()
        .chain(stdout.lines())
        .map(str::trim)
        .filter(|l| l.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("error")))
        .collect()
}

/// The rows of dbt's `ShowNode` log event (`data.preview`, a JSON text).
pub(super) fn preview(stdout: &str) -> Option<Vec<Map<String, Value>>> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|event| event["info"]["name"] == "ShowNode")
        .and_then(|event| event["data"]["preview"].as_str().map(str::to_owned))
        .and_then(|text| serde_json::from_str(&text).ok())
}
