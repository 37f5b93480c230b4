//! Where dbt writes its artifacts (`run_results.json`, `manifest.json`): the target path,
//! worked out the way each engine does, since floe never passes `--target-path`.
//!
//! - dbt-core 1.11 (`dbt/cli/params.py`, `dbt/config/project.py`): the first non-empty
//!   of `DBT_ENGINE_TARGET_PATH` and `DBT_TARGET_PATH`, else `target-path` in
//!   `dbt_project.yml`, else `target`; a relative path is relative to the project.
//! - Fusion (`--target-path`, env `DBT_TARGET_PATH`, in `crates/dbt-clap-core`): the
//!   variable, else `target`; Fusion refuses a `dbt_project.yml` whose `target-path` is
//!   anything else (`crates/dbt-loader/src/loader.rs`), so that key is never read for it.
//!
//! A variable handed to dbt in the plugin's `env` wins over floe's own environment, since
//! dbt sees it last.

use std::path::{Path, PathBuf};

use super::cli::Engine;
use super::error::DbtError;

/// The variables that set the target path, in the order dbt-core prefers them.
const CORE_VARIABLES: [&str; 2] = ["DBT_ENGINE_TARGET_PATH", "DBT_TARGET_PATH"];
/// The one Fusion reads.
const FUSION_VARIABLE: &str = "DBT_TARGET_PATH";
/// dbt's default.
const DEFAULT: &str = "target";

/// The target directory of `project` for `engine`, reading variables through `env`.
///
/// # Errors
/// [`DbtError::TargetPath`] when `dbt_project.yml`'s `target-path` is a Jinja expression
/// (dbt renders it; floe does not).
pub(crate) fn target_dir(
    project: &Path,
    engine: Engine,
    env: impl Fn(&str) -> Option<String>,
) -> Result<PathBuf, DbtError> {
    let variables: &[&str] = match engine {
        Engine::Core => &CORE_VARIABLES,
        Engine::Fusion => &[FUSION_VARIABLE],
    };
    let from_env = variables.iter().find_map(|name| env(name).filter(|v| !v.is_empty()));
    let configured = match (from_env, engine) {
        (Some(value), _) => value,
        (None, Engine::Core) => project_setting(project)?.unwrap_or_else(|| DEFAULT.to_owned()),
        (None, Engine::Fusion) => DEFAULT.to_owned(),
    };
    Ok(project.join(configured))
}

/// `target-path` from `dbt_project.yml`, if it sets one. A file that does not parse is
/// left for dbt to report.
fn project_setting(project: &Path) -> Result<Option<String>, DbtError> {
    let Ok(text) = std::fs::read_to_string(project.join("dbt_project.yml")) else {
        return Ok(None);
    };
    let Ok(parsed) = serde_saphyr::from_str::<serde_json::Value>(&text) else {
        return Ok(None);
    };
    match parsed.get("target-path").and_then(serde_json::Value::as_str) {
        Some(value) if value.contains("{{") => Err(DbtError::TargetPath {
            reason: "target-path in dbt_project.yml is a Jinja expression, which floe does not \
                     render: set DBT_TARGET_PATH in the plugin's env instead"
                .to_owned(),
        }),
        Some(value) if !value.trim().is_empty() => Ok(Some(value.trim().to_owned())),
        _ => Ok(None),
    }
}

/// `path` as a message may show it: relative to `project` when inside it, else its last
/// component only (no directory ever reaches a span).
pub(crate) fn shown(project: &Path, path: &Path) -> String {
    path.strip_prefix(project).map_or_else(
        |_| path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        |relative| relative.display().to_string(),
    )
}
