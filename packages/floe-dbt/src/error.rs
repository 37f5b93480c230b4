//! `DbtError`: how a dbt (or SQLFluff) command failed. No message names a directory: a
//! project is named by its directory's name, an artifact by its file name or its path
//! relative to the project.

use floe_core::plugin::categories::DbtCommandResult;
use floe_core::process::ProcessError;
use floe_core::telemetry::SanitizedMessage;

use super::artifacts::ArtifactError;

/// A dbt command that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum DbtError {
    /// The project directory has no `dbt_project.yml`.
    #[error("project directory {project} holds no dbt_project.yml")]
    ProjectNotFound {
        /// The directory's name (its last component, never its path).
        project: String,
    },
    /// Where dbt writes its artifacts cannot be worked out.
    #[error("cannot locate the dbt target path: {reason}")]
    TargetPath {
        /// Why (names the setting, never a directory).
        reason: String,
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
        /// What failed: failing nodes, or dbt's error messages (scrubbed, without
        /// directories, sanitized).
        summary: SanitizedMessage,
        /// What `run_results.json` says, when dbt got that far.
        result: Option<Box<DbtCommandResult>>,
    },
    /// dbt reported success but wrote no results.
    #[error("dbt {command} wrote no {file}")]
    MissingArtifact {
        /// The command.
        command: &'static str,
        /// The artifact, relative to the project (`target/run_results.json`).
        file: String,
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
