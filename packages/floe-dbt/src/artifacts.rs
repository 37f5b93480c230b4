//! dbt's JSON artifacts: `run_results.json` (what a command did to each node) and
//! `manifest.json` (what the project holds), read into the few fields floe uses.
//!
//! Both follow dbt's published schemas (`run-results/v6`, `manifest/v12`); every field not
//! read here is ignored, so newer schema versions still parse.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use floe_core::plugin::categories::{DbtCommand, DbtCommandResult, DbtNodeResult};
use floe_core::telemetry::SanitizedMessage;

/// `run_results.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct RunResults {
    /// One entry per node the command ran.
    pub results: Vec<RunResult>,
    /// Seconds the command took.
    #[serde(default)]
    pub elapsed_time: f64,
}

/// One node's entry in `run_results.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct RunResult {
    /// `model.project.orders`.
    pub unique_id: String,
    /// `success`, `error`, `pass`, `fail`, `warn`, `skipped`, ...
    pub status: String,
    /// Seconds.
    #[serde(default)]
    pub execution_time: f64,
    /// dbt's message (`Got 2 results, configured to fail if != 0`, a database error).
    #[serde(default)]
    pub message: Option<String>,
    /// Failing rows, for tests.
    #[serde(default)]
    pub failures: Option<u64>,
}

impl RunResults {
    /// Parses the text of `run_results.json`.
    ///
    /// # Errors
    /// When it is not a run-results document.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Reads `run_results.json` from `path`; `Ok(None)` when the file does not exist.
    ///
    /// # Errors
    /// When it cannot be read or parsed.
    pub fn read(path: &Path) -> Result<Option<Self>, ArtifactError> {
        read_json(path)
    }

    /// The typed result of `command`, nodes sorted by unique id, each message reduced to
    /// its first line and passed through `clean` (which must sanitize it).
    pub fn into_command_result(
        self,
        command: DbtCommand,
        success: bool,
        clean: impl Fn(&str) -> SanitizedMessage,
    ) -> DbtCommandResult {
        let mut nodes: Vec<DbtNodeResult> = self
            .results
            .into_iter()
            .map(|r| DbtNodeResult {
                unique_id: r.unique_id,
                // Compared in lower case whatever the writer (dbt-core or Fusion) used.
                status: r.status.to_ascii_lowercase(),
                execution_time: r.execution_time,
                message: r
                    .message
                    .as_deref()
                    .map(floe_core::text::first_line)
                    .filter(|line| !line.is_empty())
                    .map(|line| clean(line).into_string()),
                failures: r.failures,
            })
            .collect();
        nodes.sort_by(|a, b| a.unique_id.cmp(&b.unique_id));
        DbtCommandResult { command, success, nodes, elapsed: self.elapsed_time }
    }
}

/// `manifest.json`, reduced to its nodes.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Manifest {
    /// Models, tests, seeds, snapshots, by unique id.
    #[serde(default)]
    pub nodes: BTreeMap<String, ManifestNode>,
}

/// One node of the manifest.
#[derive(Clone, Debug, Deserialize)]
pub struct ManifestNode {
    /// `test.project.not_null_orders_id.1a2b3c`.
    pub unique_id: String,
    /// `not_null_orders_id`.
    pub name: String,
    /// `model`, `test`, `seed`, ...
    pub resource_type: String,
    /// For generic tests: which test and its arguments.
    #[serde(default)]
    pub test_metadata: Option<TestMetadata>,
    /// For column tests: the column.
    #[serde(default)]
    pub column_name: Option<String>,
    /// For tests: the model they are attached to.
    #[serde(default)]
    pub attached_node: Option<String>,
    /// What the node depends on.
    #[serde(default)]
    pub depends_on: DependsOn,
}

/// A node's dependencies.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DependsOn {
    /// Unique ids of the nodes it depends on.
    #[serde(default)]
    pub nodes: Vec<String>,
}

/// A generic test's identity.
#[derive(Clone, Debug, Deserialize)]
pub struct TestMetadata {
    /// The test (`not_null`, `accepted_values`, `expect_column_values_to_be_between`).
    pub name: String,
    /// The package that defines it (`dbt_expectations`), if not the project or dbt.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Its arguments as written (`column_name`, `values`, ...).
    #[serde(default)]
    pub kwargs: serde_json::Map<String, serde_json::Value>,
}

impl Manifest {
    /// Parses the text of `manifest.json`.
    ///
    /// # Errors
    /// When it is not a manifest.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Reads `manifest.json` from `path`; `Ok(None)` when the file does not exist.
    ///
    /// # Errors
    /// When it cannot be read or parsed.
    pub fn read(path: &Path) -> Result<Option<Self>, ArtifactError> {
        read_json(path)
    }

    /// The model called `name`.
    pub fn model(&self, name: &str) -> Option<&ManifestNode> {
        self.nodes.values().find(|n| n.resource_type == "model" && n.name == name)
    }

    /// The tests about the node `unique_id`: generic tests attached to it, and singular
    /// tests (attached to nothing) that depend on it. A test attached to another node is
    /// not about this one even if it reads it (`relationships` to it).
    pub fn tests_on<'a>(&'a self, unique_id: &'a str) -> impl Iterator<Item = &'a ManifestNode> {
        self.nodes.values().filter(move |n| {
            n.resource_type == "test"
                && match n.attached_node.as_deref() {
                    Some(attached) => attached == unique_id,
                    None => n.depends_on.nodes.iter().any(|d| d == unique_id),
                }
        })
    }
}

/// An artifact that exists but cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// The file cannot be read.
    #[error("cannot read {file}")]
    Read {
        /// The artifact's file name.
        file: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not the document it should be.
    #[error("{file} is not a dbt artifact dbt-core or Fusion writes")]
    Parse {
        /// The artifact's file name.
        file: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, ArtifactError> {
    let file = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(ArtifactError::Read { file, source }),
    };
    serde_json::from_str(&text).map(Some).map_err(|source| ArtifactError::Parse { file, source })
}
