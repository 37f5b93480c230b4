//! `DbtCli`: one dbt command run as a process, traced as `dbt.run_command` with a
//! `dbt.node` child per node of the `run_results.json` it wrote.

use std::path::{Path, PathBuf};
use std::time::Duration;

use floe_core::KeyValue;
use serde_json::{Map, Value};

use super::artifacts::RunResults;
use super::error::DbtError;
use super::launch::{LAUNCHER, Launch, arguments, launch_for};
use super::nodes::{TestFailures, record_nodes};
use super::output::{Cleaner, error_lines, log_messages, preview};
use super::target::{shown, target_dir};
use floe_core::plugin::categories::{DbtCommand, DbtCommandResult, DbtOptions};
use floe_core::process::{CommandOutput, run, run_with_input};
use floe_core::secret::Secret;
use floe_core::telemetry::ops::DbtOp;
use floe_core::telemetry::{SanitizedMessage, SpanRecorder, attr, in_span_async};

/// The longest a dbt command may run unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_mins(30);

/// Which dbt CLI runs the commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// The Python dbt-core CLI (`dbt`), with an adapter such as dbt-duckdb.
    Core,
    /// The dbt Fusion CLI (`dbtf`): the same flags floe passes, `--log-format json`
    /// printing dbt-core-compatible events (dbt-fusion's `json_compat_layer.rs`), the same
    /// artifacts under the target path.
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

    /// The arguments of `command` with `options` (and, for `show`, an inline query), as
    /// dbt receives them (on its command line, or on standard input for dbt-core's Python
    /// entry point: see [`uses_stdin`](Self::uses_stdin)).
    pub fn args(
        &self,
        command: DbtCommand,
        options: &DbtOptions,
        inline: Option<&str>,
    ) -> Vec<String> {
        arguments(command, options, inline)
    }

    /// Whether the arguments reach dbt on standard input rather than its command line:
    /// true for dbt-core installed as a Python entry point.
    pub fn uses_stdin(&self) -> bool {
        matches!(launch_for(&self.program, self.engine), Launch::Python(_))
    }

    /// Where this engine writes the artifacts of `project` (the target path, honouring
    /// `DBT_TARGET_PATH` in the environment handed to dbt, then floe's own, and for
    /// dbt-core `target-path` in `dbt_project.yml`).
    ///
    /// # Errors
    /// [`DbtError::TargetPath`] when the project's `target-path` is a Jinja expression.
    pub fn target_dir(&self, project: &Path) -> Result<PathBuf, DbtError> {
        target_dir(project, self.engine, |name| {
            self.env
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.expose().clone())
                .or_else(|| std::env::var(name).ok())
        })
    }

    /// Runs `command` in a `dbt.run_command` span (with `attributes` added), then emits a
    /// `dbt.node` child per node of `run_results.json`.
    ///
    /// # Errors
    /// [`DbtError`]: the project is missing, the process did not run, dbt failed (with
    /// the results when it wrote readable ones: dbt's own error wins over results it left
    /// unreadable), or dbt succeeded and its artifacts are unusable. With
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

    /// What removes secrets and directories from this command's output.
    fn cleaner(&self, options: &DbtOptions, target: Option<&Path>) -> Cleaner {
        let vars = options.vars.iter().flat_map(|v| vars_secrets(v));
        let mut cleaner = Cleaner::new(self.env.iter().map(|(_, v)| v.clone()).chain(vars));
        let project = &options.project_dir;
        for dir in target.into_iter().chain(options.profiles_dir.as_deref()) {
            let shown = shown(project, dir);
            let itself = if shown.is_empty() { dir_name(project) } else { shown.clone() };
            cleaner = cleaner.with_directory(dir, &shown, &itself);
        }
        if let Some(bin) = self.program.parent() {
            cleaner = cleaner.with_directory(bin, "", &dir_name(bin));
        }
        cleaner.with_directory(project, "", &dir_name(project))
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
            return Err(DbtError::ProjectNotFound { project: dir_name(project) });
        }
        let target = self.target_dir(project)?;
        let cleaner = self.cleaner(options, Some(&target));
        let results_path = target.join("run_results.json");
        // A stale file from an earlier command must not pass for this one's results.
        let _ = std::fs::remove_file(&results_path);
        let output = self
            .spawn(command, options, inline)
            .await
            .map_err(|source| DbtError::Process { command: name, source })?;
        let success = output.status.success();
        let result = match RunResults::read(&results_path) {
            Ok(results) => {
                results.map(|r| r.into_command_result(command, success, |text| cleaner.clean(text)))
            }
            Err(source) if success => return Err(DbtError::Artifact { command: name, source }),
            // dbt failed: what it printed says why, and a results file it left unreadable
            // (cut short by a crash, or one it could not write) is a consequence, not the cause.
            Err(_) => None,
        };
        if let Some(result) = &result {
            record_nodes(tracer_name, span.context(), result, failures);
            span.set_attributes([
                KeyValue::new(attr::DBT_NODES_COUNT, count(result.nodes.len())),
                KeyValue::new(attr::DBT_FAILURES, count(result.failures().len())),
            ]);
        }
        match result {
            Some(result) if success => Ok((result, output)),
            None if success => Err(DbtError::MissingArtifact {
                command: name,
                file: shown(project, &results_path),
            }),
            Some(result) if reported_test_failures(command, failures, &result) => {
                Ok((result, output))
            }
            result => Err(DbtError::Failed {
                command: name,
                status: exit_status(&output),
                summary: summary(&cleaner, &output, result.as_ref()),
                result: result.map(Box::new),
            }),
        }
    }

    /// Starts the process: dbt-core's Python entry point reads its arguments from
    /// standard input; anything else gets them on its command line.
    async fn spawn(
        &self,
        command: DbtCommand,
        options: &DbtOptions,
        inline: Option<&str>,
    ) -> Result<CommandOutput, floe_core::process::ProcessError> {
        let args = arguments(command, options, inline);
        let launch = launch_for(&self.program, self.engine);
        let mut process = match &launch {
            Launch::Python(interpreter) => {
                let mut process = tokio::process::Command::new(interpreter);
                process.arg("-c").arg(LAUNCHER);
                process
            }
            Launch::Direct => {
                let mut process = tokio::process::Command::new(&self.program);
                process.args(&args);
                process
            }
        };
        process
            .current_dir(&options.project_dir)
            .env("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
            .env("DO_NOT_TRACK", "1")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.expose().as_str())));
        match launch {
            Launch::Python(_) => {
                let input = serde_json::to_vec(&args).unwrap_or_default();
                run_with_input(process, input, self.timeout).await
            }
            Launch::Direct => run(process, self.timeout).await,
        }
    }

    /// Sanitized text with the configured environment's values removed first (no
    /// directory handling: for callers without a project).
    #[cfg(test)]
    pub(crate) fn clean(&self, text: &str) -> SanitizedMessage {
        Cleaner::new(self.env.iter().map(|(_, v)| v.clone())).clean(text)
    }
}

/// What of `vars` (YAML) dbt could echo: the whole text, and each string value long enough
/// not to be a common word (eight characters or more).
fn vars_secrets(vars: &str) -> Vec<Secret<String>> {
    fn leaves(value: &Value, out: &mut Vec<Secret<String>>) {
        match value {
            Value::String(s) if s.chars().count() >= 8 => out.push(Secret::new(s.clone())),
            Value::Array(items) => items.iter().for_each(|v| leaves(v, out)),
            Value::Object(map) => map.values().for_each(|v| leaves(v, out)),
            _ => {}
        }
    }
    let mut out = vec![Secret::new(vars.to_owned())];
    if let Ok(parsed) = serde_saphyr::from_str::<Value>(vars) {
        leaves(&parsed, &mut out);
    }
    out
}

/// What failed: the failing nodes, else dbt's error events, else the output's tail.
fn summary(
    cleaner: &Cleaner,
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
            return cleaner.clean(&format!(
                "{} of {} nodes failed: {}{more}",
                failed.len(),
                result.nodes.len(),
                shown.join("; ")
            ));
        }
    }
    let events = log_messages(&output.stdout, true);
    if !events.is_empty() {
        return cleaner.clean(&events.join("; "));
    }
    // Plain text (a CLI refusing its arguments before its logging starts).
    let errors = error_lines(&output.stdout, &output.stderr);
    if !errors.is_empty() {
        return cleaner.clean(&errors[errors.len().saturating_sub(3)..].join("\n"));
    }
    if output.stderr.trim().is_empty() {
        let all = log_messages(&output.stdout, false);
        if !all.is_empty() {
            return cleaner.clean(&all[all.len().saturating_sub(3)..].join("; "));
        }
    }
    cleaner.clean(output.output_tail_scrubbed(5, cleaner.secrets()).as_str())
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

/// The last component of `dir`: how a message names a directory.
pub(crate) fn dir_name(dir: &Path) -> String {
    dir.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// An `i64` attribute value from a count.
pub(crate) fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
