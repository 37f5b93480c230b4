//! floe-dbt-core: runs a dbt project with dbt-core (and lints it with SQLFluff).
//!
//! [`DbtCorePlugin`] drives a pinned dbt-core and adapter in a virtualenv (or any `dbt`
//! executable) through [`floe_dbt`]: every command is a `dbt.run_command` span with a
//! `dbt.node` child per node of `run_results.json`, and returns a typed
//! [`DbtCommandResult`] (models run, tests run, failures, timings). The project's
//! `manifest.json` is available as a typed [`Manifest`].

mod config;
pub mod telemetry;

use floe_core::KeyValue;
use floe_core::health::traced_health;
use floe_core::plugin::categories::{DbtCommand, DbtCommandResult, DbtOptions, DbtRunner};
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginMetadata, ResolvedConfig,
};
use floe_core::telemetry::attr;
use floe_dbt::{DbtCli, DbtError, DbtSettings, Engine, Manifest, Sqlfluff, TestFailures};

pub use config::DbtCoreConfig;
use telemetry::{DbtOp, TRACER_NAME};

static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "core",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::Dbt,
    "dbt-core: compile, run, test, seed and lint (SQLFluff) a dbt project, traced per node",
)
.with_tracer_name(TRACER_NAME);

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let settings: DbtCoreConfig = config.decode(PLUGIN)?;
    settings.validate().map_err(|e| config.invalid(PLUGIN, &e.key, &e.reason))?;
    Ok(Box::new(DbtCorePlugin::new(settings)))
}

/// How errors name the plugin.
const PLUGIN: &str = "dbt/core";

floe_core::register_plugin!(METADATA, construct);

/// A failed dbt-core operation.
#[derive(Debug, thiserror::Error)]
pub enum DbtCoreError {
    /// dbt (or SQLFluff) did not run, or reported failure; carries the results when dbt
    /// wrote them.
    #[error(transparent)]
    Dbt(#[from] DbtError),
    /// The project has no `manifest.json` yet (no command has parsed it).
    #[error("the dbt project has no {file}: run a dbt command first")]
    NoManifest {
        /// The manifest's path relative to the project (`target/manifest.json`), or its
        /// file name when the target path lies outside the project.
        file: String,
    },
}

impl DbtCoreError {
    /// The results of a command that failed after writing them.
    pub fn result(&self) -> Option<&DbtCommandResult> {
        match self {
            Self::Dbt(error) => error.result(),
            Self::NoManifest { .. } => None,
        }
    }
}

/// The dbt-core runner.
#[derive(Clone, Debug)]
pub struct DbtCorePlugin {
    settings: DbtSettings,
    cli: DbtCli,
    lint: Sqlfluff,
}

impl DbtCorePlugin {
    /// A runner for `settings`.
    pub fn new(settings: DbtCoreConfig) -> Self {
        Self { cli: settings.dbt_core(), lint: settings.sqlfluff(), settings }
    }

    /// The dbt executable it runs.
    pub fn executable(&self) -> &std::path::Path {
        self.cli.program()
    }

    /// The project's `manifest.json` (written by every dbt command into the target path),
    /// for the project of `options` (the configured one when empty).
    ///
    /// # Errors
    /// When there is none yet, or it cannot be read.
    pub fn manifest(&self, options: &DbtOptions) -> Result<Manifest, DbtCoreError> {
        let options = options.with_defaults(&self.settings.options());
        let project = &options.project_dir;
        let path = self.cli.target_dir(project)?.join("manifest.json");
        Manifest::read(&path)
            .map_err(|source| DbtError::Artifact { command: "manifest", source })?
            .ok_or_else(|| DbtCoreError::NoManifest {
                file: path.strip_prefix(project).map_or_else(
                    |_| "manifest.json".to_owned(),
                    |relative| relative.display().to_string(),
                ),
            })
    }
}

impl Plugin for DbtCorePlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(self.settings.generated_config(Engine::Core, self.cli.program()))
    }
}

impl DbtRunner for DbtCorePlugin {
    type Error = DbtCoreError;

    /// Runs `command` (options not given come from the configuration). A failing test, an
    /// erroring model or a lint violation fails the command.
    async fn execute(
        &self,
        command: DbtCommand,
        options: &DbtOptions,
    ) -> Result<DbtCommandResult, Self::Error> {
        let options = options.with_defaults(&self.settings.options());
        let result = match command {
            DbtCommand::Lint => self.lint.lint(TRACER_NAME, &options, vec![]).await,
            _ => self.cli.execute(TRACER_NAME, command, &options, TestFailures::Fail, vec![]).await,
        };
        Ok(result?)
    }
}

impl Lifecycle for DbtCorePlugin {
    /// Healthy when the dbt executable exists and the project has a `dbt_project.yml`;
    /// the `dbt.health_check` span ends as an error otherwise.
    async fn health_check(&self) -> HealthStatus {
        traced_health(
            TRACER_NAME,
            DbtOp::HealthCheck,
            vec![KeyValue::new(attr::DBT_ENGINE, Engine::Core.as_str())],
            self.settings.problem(self.cli.program()),
        )
    }
}
