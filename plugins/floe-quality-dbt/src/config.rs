//! The plugin's configuration (`plugins.quality` entry `type: dbt` in a manifest).

use floe_dbt::{DbtSettings, InvalidSetting};
use serde::Deserialize;

/// Where dbt and the project are, and which check types beyond dbt's and
/// dbt-expectations' the project defines.
///
/// ```yaml
/// quality:
///   - type: dbt
///     config:
///       dbt: { project_dir: examples/dbt-project, venv: /opt/dbt-venv }
///       custom_tests: [assert_recent_rows]
/// ```
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbtQualityConfig {
    /// The project, profile, environment and dbt-core executable.
    pub dbt: DbtSettings,
    /// Generic tests the project defines itself, accepted as check types.
    #[serde(default)]
    pub custom_tests: Vec<String>,
}

impl DbtQualityConfig {
    /// Checks the dbt section and that every custom test is a plain test name.
    ///
    /// # Errors
    /// [`InvalidSetting`] naming the key (relative to the plugin's config).
    pub fn validate(&self) -> Result<(), InvalidSetting> {
        self.dbt
            .validate()
            .map_err(|e| InvalidSetting { key: format!("dbt.{}", e.key), reason: e.reason })?;
        for (i, name) in self.custom_tests.iter().enumerate() {
            if !floe_core::text::is_identifier(name) {
                return Err(InvalidSetting {
                    key: format!("custom_tests[{i}]"),
                    reason: "is not a dbt test name (letters, digits, underscores)".to_owned(),
                });
            }
        }
        Ok(())
    }
}
