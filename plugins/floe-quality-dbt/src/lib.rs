//! floe-quality-dbt: data-quality suites run as dbt tests.
//!
//! A [`QualitySuite`] names a dbt model (`target`) and, optionally, the checks wanted
//! (`not_null` on `order_id`, `expect_column_values_to_be_between` with `max_value: 1000`,
//! ...). [`DbtQualityProvider`] runs `dbt test --select <model>` with the real dbt-core,
//! matches the tests that ran to the checks through `manifest.json`, counts the model's
//! rows with `dbt show`, and reports each check: passed, failing rows, rows checked.
//! Failed checks are a result; only a run that cannot happen is an error (see
//! [`telemetry`]).

mod checks;
mod config;
pub mod telemetry;

use floe_core::KeyValue;
use floe_core::health::traced_health;
use floe_core::plugin::categories::{
    DbtCommand, DbtOptions, QualityProvider, QualityReport, QualitySuite,
};
use floe_core::plugin::{
    HealthStatus, Lifecycle, Plugin, PluginCategory, PluginError, PluginMetadata, ResolvedConfig,
};
use floe_core::quality;
use floe_core::telemetry::attr;
use floe_dbt::{DbtCli, DbtError, Engine, Manifest, TestFailures};

pub use config::DbtQualityConfig;
use telemetry::{PROVIDER, QualityOp, TRACER_NAME};

static METADATA: PluginMetadata = PluginMetadata::new(
    env!("CARGO_PKG_NAME"),
    "dbt",
    env!("CARGO_PKG_VERSION"),
    PluginCategory::Quality,
    "dbt tests (dbt-expectations style included) run as quality suites, reported per check",
)
.with_tracer_name(TRACER_NAME);

fn construct(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: DbtQualityConfig = config.decode(PLUGIN)?;
    typed.validate().map_err(|e| config.invalid(PLUGIN, &e.key, &e.reason))?;
    Ok(Box::new(DbtQualityProvider::new(typed)))
}

/// How errors name the plugin.
const PLUGIN: &str = "quality/dbt";

floe_core::register_plugin!(METADATA, construct);

/// Why a suite could not be run. Failed checks are not errors.
#[derive(Debug, thiserror::Error)]
pub enum QualityDbtError {
    /// The suite holds check types the provider does not know.
    #[error("suite {suite} has unsupported check types: {kinds}")]
    UnsupportedChecks {
        /// The suite.
        suite: String,
        /// The unknown types, comma-separated.
        kinds: String,
    },
    /// The suite's target is not a dbt model name.
    #[error("suite {suite} targets {target:?}, which is not a dbt model name")]
    InvalidTarget {
        /// The suite.
        suite: String,
        /// The target as written.
        target: String,
    },
    /// dbt did not run, failed, or its output could not be read.
    #[error(transparent)]
    Dbt(#[from] DbtError),
    /// The project has no such model.
    #[error("the dbt project has no model {model}")]
    ModelNotFound {
        /// The model.
        model: String,
    },
    /// A listed check matches no test of the model.
    #[error("check {check} matches no dbt test on model {model}")]
    CheckNotDefined {
        /// The check.
        check: String,
        /// The model.
        model: String,
    },
    /// `dbt show` did not return a row count.
    #[error("dbt show returned no row count for model {model}")]
    NoRowCount {
        /// The model.
        model: String,
    },
}

/// The dbt quality provider.
#[derive(Clone, Debug)]
pub struct DbtQualityProvider {
    config: DbtQualityConfig,
    cli: DbtCli,
}

impl DbtQualityProvider {
    /// A provider for `config`.
    pub fn new(config: DbtQualityConfig) -> Self {
        Self { cli: config.dbt.dbt_core(), config }
    }

    /// Runs one suite: the model's tests (failing tests are results), the manifest, the
    /// row count.
    async fn run_suite(&self, suite: &QualitySuite) -> Result<QualityReport, QualityDbtError> {
        let base = self.config.dbt.options();
        let options = DbtOptions { select: vec![suite.target.clone()], ..base.clone() };
        let run = self
            .cli
            .execute(TRACER_NAME, DbtCommand::Test, &options, TestFailures::Report, vec![])
            .await?;
        let manifest_path = self.cli.target_dir(&base.project_dir)?.join("manifest.json");
        let manifest = Manifest::read(&manifest_path)
            .map_err(|source| DbtError::Artifact { command: "test", source })?
            .ok_or_else(|| DbtError::MissingArtifact {
                command: "test",
                file: manifest_path.strip_prefix(&base.project_dir).map_or_else(
                    |_| "manifest.json".to_owned(),
                    |relative| relative.display().to_string(),
                ),
            })?;
        // Matched before counting rows: a check the project does not define fails fast.
        let mut checks = checks::results(&suite.target, &suite.checks, &manifest, &run)?;
        // The target is a checked model name, so the query holds no caller text.
        let sql = format!("select count(*) as row_count from {{{{ ref('{}') }}}}", suite.target);
        let rows = self.cli.show_inline(TRACER_NAME, &base, &sql).await?;
        let count = rows
            .first()
            .and_then(|row| row.get("row_count"))
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| QualityDbtError::NoRowCount { model: suite.target.clone() })?;
        for check in &mut checks {
            check.rows_checked = count;
        }
        Ok(QualityReport { suite: suite.name.clone(), checks, native: None })
    }
}

impl Plugin for DbtQualityProvider {
    fn metadata(&self) -> &'static PluginMetadata {
        &METADATA
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        let mut generated = self.config.dbt.generated_config(Engine::Core, self.cli.program());
        generated["custom_tests"] = serde_json::json!(self.config.custom_tests);
        Ok(generated)
    }
}

impl QualityProvider for DbtQualityProvider {
    type Error = QualityDbtError;

    fn validate_expectations(&self, suite: &QualitySuite) -> Result<(), Self::Error> {
        quality::validate_expectations(TRACER_NAME, PROVIDER, suite, || {
            if !checks::is_model_name(&suite.target) {
                return Err(QualityDbtError::InvalidTarget {
                    suite: suite.name.clone(),
                    target: suite.target.clone(),
                });
            }
            let unsupported = suite
                .unsupported_kinds(|kind| checks::is_supported(kind, &self.config.custom_tests));
            if unsupported.is_empty() {
                Ok(())
            } else {
                Err(QualityDbtError::UnsupportedChecks {
                    suite: suite.name.clone(),
                    kinds: unsupported.join(", "),
                })
            }
        })
    }

    async fn run_checks(&self, suites: &[QualitySuite]) -> Result<Vec<QualityReport>, Self::Error> {
        quality::run_checks(
            TRACER_NAME,
            PROVIDER,
            suites,
            |s| self.validate_expectations(s),
            |s| self.run_suite(s),
        )
        .await
    }
}

impl Lifecycle for DbtQualityProvider {
    /// Healthy when dbt and the project are there; the `quality.health_check` span ends as
    /// an error otherwise.
    async fn health_check(&self) -> HealthStatus {
        traced_health(
            TRACER_NAME,
            QualityOp::HealthCheck,
            vec![KeyValue::new(attr::QUALITY_PROVIDER, PROVIDER)],
            self.config.dbt.problem(self.cli.program()),
        )
    }
}
