//! floe-dbt-fusion: runs a dbt project with the dbt Fusion CLI, or with dbt-core when the
//! Fusion CLI is not installed.
//!
//! [`DbtFusionPlugin`] offers the same surface as the dbt-core runner (`compile`, `run`,
//! `test`, `seed`, `show`, `lint`) through [`floe_dbt`]. Which engine runs is decided
//! per command ([`choose_engine`]): the configured Fusion executable, else `dbtf` on
//! `PATH`, else dbt-core, in which case the command span says so (`dbt.fallback = true`
//! and `dbt.fallback_reason`). Fusion runs with `--log-format json`, whose
//! dbt-core-compatible events the runner reads for errors and `show` rows.

mod config;
pub mod telemetry;

use std::path::{Path, PathBuf};

use floe_core::KeyValue;
use floe_core::health::traced_health;
use floe_core::plugin::categories::{DbtCommand, DbtCommandResult, DbtOptions, DbtRunner};
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginMetadata, ResolvedConfig,
};
use floe_core::process::{find_on_path, is_executable};
use floe_core::telemetry::attr;
use floe_dbt::{DbtCli, DbtError, Engine, Sqlfluff, TestFailures};

pub use config::DbtFusionConfig;
use telemetry::{DbtOp, FUSION_EXECUTABLE, TRACER_NAME};

static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "fusion",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::Dbt,
    "dbt Fusion CLI, falling back to dbt-core (traced) when Fusion is not installed",
)
.with_tracer_name(TRACER_NAME);

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: DbtFusionConfig = config.decode(PLUGIN)?;
    typed
        .dbt
        .validate()
        .map_err(|e| config.invalid(PLUGIN, &format!("dbt.{}", e.key), &e.reason))?;
    Ok(Box::new(DbtFusionPlugin::new(typed)))
}

/// How errors name the plugin.
const PLUGIN: &str = "dbt/fusion";

floe_core::register_plugin!(METADATA, construct);

/// A failed command of the Fusion runner (whichever engine ran it).
#[derive(Debug, thiserror::Error)]
pub enum DbtFusionError {
    /// The CLI did not run, or reported failure; carries the results when it wrote them.
    #[error(transparent)]
    Dbt(#[from] DbtError),
}

/// Which engine runs a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineChoice {
    /// The Fusion CLI at this path.
    Fusion(PathBuf),
    /// dbt-core, because the Fusion CLI was not found (the reason names no directory).
    Fallback {
        /// Why.
        reason: String,
    },
}

/// The engine for a configured Fusion executable (`None`: look `dbtf` up with `lookup`).
pub fn choose_engine(
    configured: Option<&Path>,
    lookup: impl Fn(&str) -> Option<PathBuf>,
) -> EngineChoice {
    match configured {
        Some(path) if is_executable(path) => EngineChoice::Fusion(path.to_owned()),
        Some(path) => EngineChoice::Fallback {
            reason: format!(
                "the configured Fusion CLI {} is not an executable file",
                path.file_name().map_or_else(|| "path".into(), |n| n.to_string_lossy())
            ),
        },
        None => lookup(FUSION_EXECUTABLE).map_or_else(
            || EngineChoice::Fallback { reason: format!("{FUSION_EXECUTABLE} not found on PATH") },
            EngineChoice::Fusion,
        ),
    }
}

/// The Fusion runner.
#[derive(Clone, Debug)]
pub struct DbtFusionPlugin {
    config: DbtFusionConfig,
    lint: Sqlfluff,
}

impl DbtFusionPlugin {
    /// A runner for `config`.
    pub fn new(config: DbtFusionConfig) -> Self {
        Self { lint: config.dbt.sqlfluff(), config }
    }

    /// The engine a command would run with now.
    pub fn engine(&self) -> EngineChoice {
        choose_engine(self.config.fusion_executable.as_deref(), find_on_path)
    }

    /// The CLI for `choice`, and the fallback attributes of its command spans.
    fn cli(&self, choice: &EngineChoice) -> (DbtCli, Vec<KeyValue>) {
        match choice {
            EngineChoice::Fusion(path) => (
                self.config.dbt.cli(path.clone(), Engine::Fusion),
                vec![KeyValue::new(attr::DBT_FALLBACK, false)],
            ),
            EngineChoice::Fallback { reason } => (
                self.config.dbt.dbt_core(),
                vec![
                    KeyValue::new(attr::DBT_FALLBACK, true),
                    KeyValue::new(attr::DBT_FALLBACK_REASON, reason.clone()),
                ],
            ),
        }
    }
}

impl Plugin for DbtFusionPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        let choice = self.engine();
        let (cli, _) = self.cli(&choice);
        let mut generated = self.config.dbt.generated_config(cli.engine(), cli.program());
        if let EngineChoice::Fallback { reason } = choice {
            generated["fallback_reason"] = serde_json::Value::String(reason);
        }
        Ok(generated)
    }
}

impl DbtRunner for DbtFusionPlugin {
    type Error = DbtFusionError;

    /// Runs `command` with Fusion, or with dbt-core when Fusion is not found (options not
    /// given come from the configuration). Lint is SQLFluff with either engine.
    async fn execute(
        &self,
        command: DbtCommand,
        options: &DbtOptions,
    ) -> Result<DbtCommandResult, Self::Error> {
        let options = options.with_defaults(&self.config.dbt.options());
        if command == DbtCommand::Lint {
            return Ok(self.lint.lint(TRACER_NAME, &options, vec![]).await?);
        }
        let (cli, attributes) = self.cli(&self.engine());
        Ok(cli.execute(TRACER_NAME, command, &options, TestFailures::Fail, attributes).await?)
    }
}

impl Lifecycle for DbtFusionPlugin {
    /// Healthy when the engine that would run (Fusion, else dbt-core) exists and the
    /// project has a `dbt_project.yml`; the `dbt.health_check` span ends as an error
    /// otherwise and carries the fallback attributes.
    async fn health_check(&self) -> HealthStatus {
        let (cli, mut attributes) = self.cli(&self.engine());
        attributes.push(KeyValue::new(attr::DBT_ENGINE, cli.engine().as_str()));
        traced_health(
            TRACER_NAME,
            DbtOp::HealthCheck,
            attributes,
            self.config.dbt.problem(cli.program()),
        )
    }
}
