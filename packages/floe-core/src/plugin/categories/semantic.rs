//! Semantic layers.

use super::CategoryError;
use super::orchestrator::GeneratedFiles;

/// A semantic layer (Cube).
pub trait SemanticLayer {
    /// The plugin's error.
    type Error: CategoryError;

    /// Data-model files generated from a dbt `manifest.json`.
    ///
    /// # Errors
    /// When the manifest cannot be read.
    fn generate_schema(
        &self,
        dbt_manifest: &serde_json::Value,
    ) -> Result<GeneratedFiles, Self::Error>;
    /// The security-context configuration.
    fn security_context(&self) -> serde_json::Value;
    /// The data-source configuration.
    fn datasource_config(&self) -> serde_json::Value;
    /// Checks the server is ready; an unready server is an error.
    fn health(&self) -> impl Future<Output = Result<(), Self::Error>> + Send;
}
