//! dbt runners.

use std::path::PathBuf;

use serde::Serialize;

use super::CategoryError;

/// A dbt command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DbtCommand {
    /// `dbt compile`: renders every node's SQL without running it.
    Compile,
    /// `dbt run`: builds the models.
    Run,
    /// `dbt test`: runs the data tests.
    Test,
    /// `dbt seed`: loads the seed CSV files.
    Seed,
    /// `dbt show`: previews the rows of a selected node or of an inline query.
    Show,
    /// SQLFluff over the project's models (dbt has no lint command of its own).
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
            Self::Show => "show",
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
    /// Node selection (`--select`); for lint, paths relative to the project.
    pub select: Vec<String>,
    /// `--vars` as YAML.
    pub vars: Option<String>,
}

impl DbtOptions {
    /// These options, with every unset field taken from `defaults` (an empty project
    /// directory counts as unset).
    #[must_use]
    pub fn with_defaults(&self, defaults: &Self) -> Self {
        Self {
            project_dir: if self.project_dir.as_os_str().is_empty() {
                defaults.project_dir.clone()
            } else {
                self.project_dir.clone()
            },
            profiles_dir: self.profiles_dir.clone().or_else(|| defaults.profiles_dir.clone()),
            target: self.target.clone().or_else(|| defaults.target.clone()),
            select: if self.select.is_empty() {
                defaults.select.clone()
            } else {
                self.select.clone()
            },
            vars: self.vars.clone().or_else(|| defaults.vars.clone()),
        }
    }
}

/// One node of `run_results.json` (for lint: one linted file).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DbtNodeResult {
    /// `model.project.orders` (for lint: the file path relative to the project).
    pub unique_id: String,
    /// `success`, `error`, `pass`, `fail`, `warn`, `skipped`, ...
    pub status: String,
    /// Seconds.
    pub execution_time: f64,
    /// dbt's message for the node, sanitized.
    pub message: Option<String>,
    /// Failing rows, for tests (for lint: violations in the file).
    pub failures: Option<u64>,
}

impl DbtNodeResult {
    /// The resource type: the first segment of the unique id (`model`, `test`, `seed`,
    /// `snapshot`, `sql_operation`).
    pub fn resource_type(&self) -> &str {
        self.unique_id.split('.').next().unwrap_or_default()
    }

    /// Whether the node failed: status `error` or `fail`.
    pub fn is_failure(&self) -> bool {
        matches!(self.status.as_str(), "error" | "fail" | "runtime error")
    }
}

/// The outcome of one dbt command.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DbtCommandResult {
    /// The command.
    pub command: DbtCommand,
    /// Whether dbt reported success.
    pub success: bool,
    /// Per-node results, sorted by unique id.
    pub nodes: Vec<DbtNodeResult>,
    /// Seconds dbt reported.
    pub elapsed: f64,
}

impl DbtCommandResult {
    /// Nodes of one resource type (`model`, `test`, ...).
    pub fn nodes_of(&self, resource_type: &str) -> impl Iterator<Item = &DbtNodeResult> {
        self.nodes.iter().filter(move |n| n.resource_type() == resource_type)
    }

    /// How many models the command ran.
    pub fn models_run(&self) -> usize {
        self.nodes_of("model").count()
    }

    /// How many tests the command ran.
    pub fn tests_run(&self) -> usize {
        self.nodes_of("test").count()
    }

    /// The nodes that failed or errored.
    pub fn failures(&self) -> Vec<&DbtNodeResult> {
        self.nodes.iter().filter(|n| n.is_failure()).collect()
    }

    /// The node with `unique_id`.
    pub fn node(&self, unique_id: &str) -> Option<&DbtNodeResult> {
        self.nodes.iter().find(|n| n.unique_id == unique_id)
    }
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
