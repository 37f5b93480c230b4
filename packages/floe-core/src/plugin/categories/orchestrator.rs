//! Orchestrators: turn compiled artifacts into runnable definitions.

use std::collections::BTreeMap;

use serde::Serialize;

use super::CategoryError;

/// Files a generator produced, by relative path.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GeneratedFiles {
    /// Relative path to contents.
    pub files: BTreeMap<String, String>,
}

/// An orchestrator.
pub trait Orchestrator {
    /// The plugin's error.
    type Error: CategoryError;

    /// Generates definitions code from the compiled artifacts (their JSON form).
    ///
    /// # Errors
    /// When the artifacts lack what the definitions need.
    fn generate_definitions(
        &self,
        artifacts: &serde_json::Value,
    ) -> Result<GeneratedFiles, Self::Error>;
    /// Checks the orchestrator's API answers.
    fn validate_connection(&self) -> impl Future<Output = Result<(), Self::Error>> + Send;
}
