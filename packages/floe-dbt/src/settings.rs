//! `DbtSettings`: how a plugin finds dbt and the project it runs, as written in a manifest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::cli::{DbtCli, Engine};
use super::lint::Sqlfluff;
use floe_core::plugin::categories::DbtOptions;
use floe_core::plugin::check_range;
use floe_core::process::{is_executable, locate_tool};
use floe_core::secret::Secret;

/// Where dbt-core is and which project it runs (the `config` of the dbt plugins, or a
/// section of it).
///
/// ```yaml
/// project_dir: examples/dbt-project
/// venv: ~/.cache/floe-otel/venv        # or executable: /usr/local/bin/dbt; default: dbt on PATH
/// target: dev
/// env: { DBT_ENV_SECRET_PASSWORD: "${secret:warehouse_password}" }
/// ```
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbtSettings {
    /// The dbt project directory (holding `dbt_project.yml`).
    pub project_dir: PathBuf,
    /// The directory holding `profiles.yml` (dbt's default when unset).
    #[serde(default)]
    pub profiles_dir: Option<PathBuf>,
    /// The profile target.
    #[serde(default)]
    pub target: Option<String>,
    /// `--vars` for every command, as YAML.
    #[serde(default)]
    pub vars: Option<String>,
    /// The dbt-core executable.
    #[serde(default)]
    pub executable: Option<PathBuf>,
    /// A virtualenv holding dbt-core and its adapter (`<venv>/bin/dbt`), used when no
    /// executable is given; without either, `dbt` is looked up on `PATH`.
    #[serde(default)]
    pub venv: Option<PathBuf>,
    /// Seconds a command may run.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Environment handed to dbt, for `{{ env_var('NAME') }}` in `profiles.yml`: put
    /// credentials here, never in the profile. Names starting `DBT_ENV_SECRET_` are also
    /// scrubbed from dbt's own logs by dbt.
    #[serde(default)]
    pub env: BTreeMap<String, Secret<String>>,
    /// The SQLFluff executable for lint (default: beside dbt, else on `PATH`).
    #[serde(default)]
    pub sqlfluff_executable: Option<PathBuf>,
    /// The SQL dialect lint uses (default: the project's `.sqlfluff`).
    #[serde(default)]
    pub lint_dialect: Option<String>,
}

/// The longest timeout a command may be given: a day.
const MAX_TIMEOUT_SECS: u64 = 86_400;

/// A setting that decodes but cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {reason}")]
pub struct InvalidSetting {
    /// The key, relative to the settings (`timeout_secs`, `env.NAME`).
    pub key: String,
    /// What is wrong (never the value).
    pub reason: String,
}

fn default_timeout_secs() -> u64 {
    super::cli::DEFAULT_TIMEOUT.as_secs()
}

impl DbtSettings {
    /// Settings for `project_dir` with every default.
    pub fn new(project_dir: impl Into<PathBuf>) -> Self {
        Self {
            project_dir: project_dir.into(),
            profiles_dir: None,
            target: None,
            vars: None,
            executable: None,
            venv: None,
            timeout_secs: default_timeout_secs(),
            env: BTreeMap::new(),
            sqlfluff_executable: None,
            lint_dialect: None,
        }
    }

    /// The timeout of one command.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    /// The dbt-core executable these settings select.
    pub fn dbt_executable(&self) -> PathBuf {
        locate_tool("dbt", self.executable.as_deref(), self.venv.as_deref())
    }

    /// The dbt-core CLI, with the timeout and environment.
    pub fn dbt_core(&self) -> DbtCli {
        self.cli(self.dbt_executable(), Engine::Core)
    }

    /// Another dbt CLI (Fusion) with the same timeout and environment.
    pub fn cli(&self, program: PathBuf, engine: Engine) -> DbtCli {
        self.env
            .iter()
            .fold(DbtCli::new(program, engine).with_timeout(self.timeout()), |cli, (k, v)| {
                cli.with_env(k.clone(), v.clone())
            })
    }

    /// SQLFluff: the configured executable, else the one beside dbt (same virtualenv),
    /// else `sqlfluff` on `PATH`.
    pub fn sqlfluff(&self) -> Sqlfluff {
        let beside_dbt = self.dbt_executable().parent().map(|dir| dir.join("sqlfluff"));
        let program = match (&self.sqlfluff_executable, beside_dbt) {
            (Some(configured), _) => configured.clone(),
            (None, Some(beside)) if is_executable(&beside) => beside,
            _ => locate_tool("sqlfluff", None, None),
        };
        Sqlfluff::new(program).with_dialect(self.lint_dialect.clone()).with_timeout(self.timeout())
    }

    /// The options every command starts from.
    pub fn options(&self) -> DbtOptions {
        DbtOptions {
            project_dir: self.project_dir.clone(),
            profiles_dir: self.profiles_dir.clone(),
            target: self.target.clone(),
            select: Vec::new(),
            vars: self.vars.clone(),
        }
    }

    /// Why `program` cannot run this project, if it cannot: the executable is missing, or
    /// the project directory holds no `dbt_project.yml`. No process is started (`dbt
    /// --version` would ask the network for the latest release). The reason names files
    /// and directories by their last component only.
    pub fn problem(&self, program: &Path) -> Option<String> {
        let name = |path: &Path| {
            path.file_name().map_or_else(|| "dbt".to_owned(), |n| n.to_string_lossy().into_owned())
        };
        if !is_executable(program) {
            let whose = match (&self.executable, &self.venv) {
                (Some(_), _) => "the configured executable",
                (None, Some(_)) => "the configured venv's bin directory",
                (None, None) => "PATH",
            };
            return Some(format!("dbt executable {} not found in {whose}", name(program)));
        }
        if !self.project_dir.join("dbt_project.yml").is_file() {
            return Some(format!(
                "project directory {} holds no dbt_project.yml",
                name(&self.project_dir)
            ));
        }
        None
    }

    /// Checks what decoding cannot: the timeout's range, `vars` being a YAML mapping,
    /// environment names dbt can be handed, the lint dialect's form. The error names the
    /// key (relative to this section) and never quotes a value.
    ///
    /// # Errors
    /// [`InvalidSetting`] for the first key that is wrong.
    pub fn validate(&self) -> Result<(), InvalidSetting> {
        let invalid = |key: &str, reason: &str| {
            Err(InvalidSetting { key: key.to_owned(), reason: reason.to_owned() })
        };
        if self.project_dir.as_os_str().is_empty() {
            return invalid("project_dir", "must not be empty");
        }
        if let Err(e) = check_range("timeout_secs", self.timeout_secs, 1..=MAX_TIMEOUT_SECS) {
            return invalid(
                "timeout_secs",
                &format!("must be between {} and {}, found {}", e.min, e.max, e.found),
            );
        }
        if let Some(vars) = &self.vars
            && !matches!(
                serde_saphyr::from_str::<serde_json::Value>(vars),
                Ok(serde_json::Value::Object(_))
            )
        {
            // The value is not quoted: vars may hold what a project keeps confidential.
            return invalid("vars", "must be a YAML mapping such as {name: value}");
        }
        for name in self.env.keys() {
            let valid = floe_core::text::is_identifier(name);
            if !valid {
                return invalid(
                    &format!("env.{name}"),
                    "is not an environment variable name (letters, digits, underscores)",
                );
            }
        }
        if let Some(dialect) = &self.lint_dialect
            && !floe_core::text::is_identifier(dialect)
        {
            return invalid("lint_dialect", "is not a SQLFluff dialect name");
        }
        Ok(())
    }

    /// What `floe compile` records: paths, target and the names (never the values) of
    /// the environment handed to dbt. `--vars` are left out: they may hold credentials.
    pub fn generated_config(&self, engine: Engine, executable: &Path) -> serde_json::Value {
        serde_json::json!({
            "engine": engine.as_str(),
            "executable": executable,
            "project_dir": self.project_dir,
            "profiles_dir": self.profiles_dir,
            "target": self.target,
            "timeout_secs": self.timeout_secs,
            "env": self.env.keys().collect::<Vec<_>>(),
        })
    }
}
