//! The plugin's configuration (`plugins.quality` entry `type: dbt` in a manifest).

use floe_dbt::DbtSettings;
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
