//! Lint: SQLFluff over a dbt project's models, traced as `dbt.run_command` with
//! `dbt.command = lint` and one `dbt.node` child per linted file.

use std::path::PathBuf;
use std::time::Duration;

use floe_core::KeyValue;
use serde::Deserialize;

use super::cli::{DEFAULT_TIMEOUT, count, dir_name, exit_status};
use super::error::DbtError;
use super::nodes::{TestFailures, record_nodes};
use super::output::Cleaner;
use floe_core::plugin::categories::{DbtCommand, DbtCommandResult, DbtNodeResult, DbtOptions};
use floe_core::process::{OUTPUT_LIMIT, run};
use floe_core::telemetry::ops::DbtOp;
use floe_core::telemetry::{SanitizedMessage, attr, in_span_async, sanitize_error_message};

/// Runs `sqlfluff lint` with its JSON report.
#[derive(Clone, Debug)]
pub struct Sqlfluff {
    program: PathBuf,
    timeout: Duration,
    dialect: Option<String>,
}

/// One file of SQLFluff's JSON report.
#[derive(Debug, Deserialize)]
pub(super) struct LintedFile {
    filepath: String,
    #[serde(default)]
    violations: Vec<Violation>,
}

/// One violation.
#[derive(Debug, Deserialize)]
struct Violation {
    code: String,
    #[serde(default)]
    start_line_no: Option<u64>,
    #[serde(default)]
    start_line_pos: Option<u64>,
    #[serde(default)]
    warning: bool,
}

impl Sqlfluff {
    /// Lint run by `program`, with [`DEFAULT_TIMEOUT`] and the dialect of the project's
    /// `.sqlfluff`.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self { program: program.into(), timeout: DEFAULT_TIMEOUT, dialect: None }
    }

    /// Sets the SQL dialect (`duckdb`), overriding the project's `.sqlfluff`.
    #[must_use]
    pub fn with_dialect(mut self, dialect: Option<String>) -> Self {
        self.dialect = dialect;
        self
    }

    /// Sets the timeout.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The arguments for `options` (its `select` are paths, default `models`).
    pub fn args(&self, options: &DbtOptions) -> Vec<String> {
        let mut args = vec!["lint".to_owned()];
        if options.select.is_empty() {
            args.push("models".to_owned());
        } else {
            args.extend(options.select.iter().cloned());
        }
        args.extend(["--format", "json", "--disable-progress-bar", "--nocolor"].map(str::to_owned));
        if let Some(dialect) = &self.dialect {
            args.extend(["--dialect".to_owned(), dialect.clone()]);
        }
        args
    }

    /// Lints the project of `options` (from its directory, so its `.sqlfluff` applies).
    /// Each file is a node (`unique_id` = its path, `failures` = its violations).
    ///
    /// # Errors
    /// [`DbtError::Failed`] with the results when there are violations (the span ends as
    /// an error naming the files), or without when SQLFluff itself failed;
    /// [`DbtError::Report`] when its report cannot be read, or is larger than
    /// [`OUTPUT_LIMIT`].
    pub async fn lint(
        &self,
        tracer_name: &'static str,
        options: &DbtOptions,
        attributes: Vec<KeyValue>,
    ) -> Result<DbtCommandResult, DbtError> {
        let mut all = vec![KeyValue::new(attr::DBT_COMMAND, DbtCommand::Lint.as_str())];
        all.extend(attributes);
        in_span_async(tracer_name, DbtOp::RunCommand, all, |span| async move {
            let name = DbtCommand::Lint.as_str();
            let mut process = tokio::process::Command::new(&self.program);
            process.args(self.args(options)).current_dir(&options.project_dir);
            let output = run(process, self.timeout)
                .await
                .map_err(|source| DbtError::Process { command: name, source })?;
            let code = output.status.code();
            if !matches!(code, Some(0 | 1)) {
                let project = &options.project_dir;
                let cleaner = Cleaner::default().with_directory(project, "", &dir_name(project));
                return Err(DbtError::Failed {
                    command: name,
                    status: exit_status(&output),
                    summary: cleaner.clean(output.output_tail(5).as_str()),
                    result: None,
                });
            }
            if output.stdout_omitted > 0 {
                // Its two ends do not parse: say why, rather than call the report malformed.
                return Err(DbtError::Report {
                    tool: "sqlfluff",
                    source: serde::de::Error::custom(format_args!(
                        "the report is larger than the {} MiB floe reads of a tool's output",
                        OUTPUT_LIMIT >> 20
                    )),
                });
            }
            let files: Vec<LintedFile> = serde_json::from_str(&output.stdout)
                .map_err(|source| DbtError::Report { tool: "sqlfluff", source })?;
            let result = lint_result(files, code == Some(0));
            record_nodes(tracer_name, span.context(), &result, TestFailures::Fail);
            let violations: u64 = result.nodes.iter().filter_map(|n| n.failures).sum();
            span.set_attributes([
                KeyValue::new(attr::DBT_NODES_COUNT, count(result.nodes.len())),
                KeyValue::new(attr::DBT_FAILURES, count(result.failures().len())),
                KeyValue::new(
                    attr::DBT_LINT_VIOLATIONS,
                    i64::try_from(violations).unwrap_or(i64::MAX),
                ),
            ]);
            if result.success {
                return Ok(result);
            }
            Err(DbtError::Failed {
                command: name,
                status: exit_status(&output),
                summary: lint_summary(&result, violations),
                result: Some(Box::new(result)),
            })
        })
        .await
    }
}

/// The report as a command result: a file is `fail` when it has a violation that is not a
/// warning.
pub(super) fn lint_result(files: Vec<LintedFile>, success: bool) -> DbtCommandResult {
    let mut nodes: Vec<DbtNodeResult> = files
        .into_iter()
        .map(|file| {
            let errors: Vec<&Violation> = file.violations.iter().filter(|v| !v.warning).collect();
            let message = (!errors.is_empty()).then(|| {
                let codes: Vec<String> = errors
                    .iter()
                    .take(5)
                    .map(|v| match (v.start_line_no, v.start_line_pos) {
                        (Some(line), Some(pos)) => format!("{} at {line}:{pos}", v.code),
                        _ => v.code.clone(),
                    })
                    .collect();
                // Rule codes and positions only: no SQL text.
                sanitize_error_message(&codes.join(", ")).into_string()
            });
            DbtNodeResult {
                status: if errors.is_empty() { "pass" } else { "fail" }.to_owned(),
                unique_id: file.filepath,
                execution_time: 0.0,
                failures: Some(u64::try_from(errors.len()).unwrap_or(u64::MAX)),
                message,
            }
        })
        .collect();
    nodes.sort_by(|a, b| a.unique_id.cmp(&b.unique_id));
    let success = success && nodes.iter().all(|n| n.status == "pass");
    DbtCommandResult { command: DbtCommand::Lint, success, nodes, elapsed: 0.0 }
}

fn lint_summary(result: &DbtCommandResult, violations: u64) -> SanitizedMessage {
    let failed = result.failures();
    let files: Vec<&str> = failed.iter().take(3).map(|n| n.unique_id.as_str()).collect();
    let more = if failed.len() > 3 { ", ..." } else { "" };
    sanitize_error_message(&format!(
        "{violations} violations in {} of {} files: {}{more}",
        failed.len(),
        result.nodes.len(),
        files.join(", ")
    ))
}
