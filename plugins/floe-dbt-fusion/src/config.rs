//! The plugin's configuration (`plugins.dbt.config` in a platform manifest).

use std::path::PathBuf;

use floe_dbt::DbtSettings;
use serde::Deserialize;

/// The Fusion CLI, and the project it runs (with the dbt-core used when Fusion is absent).
///
/// ```yaml
/// dbt:
///   type: fusion
///   config:
///     fusion_executable: /usr/local/bin/dbtf   # default: dbtf on PATH
///     dbt:                                     # the project; dbt-core for the fallback
///       project_dir: examples/dbt-project
///       venv: /opt/dbt-venv
/// ```
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbtFusionConfig {
    /// The Fusion CLI. Without it, `dbtf` is looked up on `PATH`.
    #[serde(default)]
    pub fusion_executable: Option<PathBuf>,
    /// The project, profile, environment and timeout for either engine, and the dbt-core
    /// that runs when the Fusion CLI is not found (and SQLFluff for lint).
    pub dbt: DbtSettings,
}
