//! dbt runners.

use std::path::PathBuf;

use serde::Serialize;

use super::CategoryError;

/// A dbt command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[expect(missing_docs, reason = "the variants are dbt's commands")]
pub enum DbtCommand {
    Compile,
    Run,
    Test,
    Seed,
    Lint,
}

impl DbtCommand {
    /// The command word (`run`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Compile => "compile",
            Self::Run => "run",
            Self::Test => "test",
            Self::Seed => "seed",
            Self::Lint => "lint",
        }
    }
}

/// Where and how to run dbt.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DbtOptions {
    /// The dbt project directory.
    pub project_dir: PathBuf,
    /// The directory holding `profiles.yml`.
    pub profiles_dir: Option<PathBuf>,
    /// The profile target.
    pub target: Option<String>,
    /// Node selection (`--select`).
    pub select: Vec<String>,
    /// `--vars` as YAML.
    pub vars: Option<String>,
}

/// One node of `run_results.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DbtNodeResult {
    /// `model.project.orders`.
    pub unique_id: String,
    /// `success`, `error`, `pass`, `fail`, `skipped`, ...
    pub status: String,
    /// Seconds.
    pub execution_time: f64,
    /// dbt's message for the node (sanitized by the plugin).
    pub message: Option<String>,
    /// Failing rows, for tests.
    pub failures: Option<u64>,
}

/// The outcome of one dbt command.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DbtCommandResult {
    /// The command.
    pub command: DbtCommand,
    /// Whether dbt reported success.
    pub success: bool,
    /// Per-node results.
    pub nodes: Vec<DbtNodeResult>,
    /// Seconds dbt reported.
    pub elapsed: f64,
}

/// Runs dbt commands.
pub trait DbtRunner {
    /// The plugin's error.
    type Error: CategoryError;

    /// Runs `command`; a failed run is an error carrying the results.
    fn execute(
        &self,
        command: DbtCommand,
        options: &DbtOptions,
    ) -> impl Future<Output = Result<DbtCommandResult, Self::Error>> + Send;
}
