//! The runs shared by this binary's tests (each run of the stand-in or of dbt-core costs
//! seconds): on one copy, the documented-contract Fusion CLI seeds, runs, tests with the
//! failing-on-purpose test enabled, compiles a selection with vars, and shows a query
//! (through the runner, and once directly for its raw JSON lines); on a second copy it
//! cannot open its database; on a third, without Fusion, dbt-core seeds.

use std::sync::OnceLock;

use floe_core::plugin::categories::{DbtCommand, DbtCommandResult, DbtOptions, DbtRunner as _};
use floe_dbt::{DbtError, Engine};
use floe_dbt_fusion::{DbtFusionError, DbtFusionPlugin};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::peers::DbtProject;
use floe_otel_testkit::{Capture, CapturedSpans};
use serde_json::{Map, Value};

use crate::peer;

/// A command's outcome and the spans it emitted.
pub(crate) struct Recorded<T = DbtCommandResult, E = DbtFusionError> {
    pub(crate) result: Result<T, E>,
    pub(crate) spans: CapturedSpans,
    pub(crate) logs: Vec<String>,
}

pub(crate) struct Scenario {
    pub(crate) secret: String,
    pub(crate) seed: Recorded,
    pub(crate) run: Recorded,
    pub(crate) failing_test: Recorded,
    pub(crate) compile: Recorded,
    pub(crate) show: Recorded<Vec<Map<String, Value>>, DbtError>,
    /// What `dbtf show --log-format json` printed, run directly.
    pub(crate) raw_show: std::process::Output,
    pub(crate) broken: Recorded,
    pub(crate) fallback_seed: Recorded,
    pub(crate) project: DbtProject,
    _copies: [DbtProject; 2],
}

async fn record(plugin: &DbtFusionPlugin, command: DbtCommand, options: &DbtOptions) -> Recorded {
    let capture = Capture::detached();
    let result = capture.bind(plugin.execute(command, options)).await;
    Recorded { result, spans: capture.spans(), logs: capture.logs() }
}

/// The shared runs (started by whichever test asks first); the three copies run side by
/// side, the commands on one copy one after the other.
pub(crate) fn scenario() -> &'static Scenario {
    static SCENARIO: OnceLock<Scenario> = OnceLock::new();
    SCENARIO.get_or_init(|| {
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        let project = DbtProject::copy().expect("copying the example dbt project");
        let broken_copy = DbtProject::copy().expect("copying the example dbt project");
        let fallback_copy = DbtProject::copy().expect("copying the example dbt project");
        let config = peer::fusion_config(&project);
        let fusion = DbtFusionPlugin::new(config.clone());
        let secret = planted_secret();
        let broken = DbtFusionPlugin::new(peer::failing_fusion_config(&broken_copy, &secret));
        let fallback = DbtFusionPlugin::new(peer::fallback_config(&fallback_copy));
        let defaults = DbtOptions::default();
        let fusion_chain = async {
            let seed = record(&fusion, DbtCommand::Seed, &defaults).await;
            let run = record(&fusion, DbtCommand::Run, &defaults).await;
            let failing = DbtOptions {
                vars: Some("{floe_fail_on_purpose: true}".to_owned()),
                ..DbtOptions::default()
            };
            let failing_test = record(&fusion, DbtCommand::Test, &failing).await;
            let selection = DbtOptions {
                select: vec!["stg_orders+".to_owned()],
                vars: Some("{day: 2026-01-01}".to_owned()),
                ..DbtOptions::default()
            };
            let compile = record(&fusion, DbtCommand::Compile, &selection).await;
            let cli = config
                .dbt
                .cli(config.fusion_executable.clone().expect("configured"), Engine::Fusion);
            let capture = Capture::detached();
            let options = defaults.with_defaults(&config.dbt.options());
            let rows = capture
                .bind(cli.show_inline(
                    floe_dbt_fusion::telemetry::TRACER_NAME,
                    &options,
                    "select count(*) as row_count from {{ ref('stg_orders') }}",
                ))
                .await;
            let show = Recorded { result: rows, spans: capture.spans(), logs: capture.logs() };
            (seed, run, failing_test, compile, show)
        };
        let ((seed, run, failing_test, compile, show), broken, fallback_seed) =
            runtime.block_on(async {
                tokio::join!(
                    fusion_chain,
                    record(&broken, DbtCommand::Run, &defaults),
                    record(&fallback, DbtCommand::Seed, &defaults)
                )
            });
        let raw_show = std::process::Command::new(peer::documented_fusion(&project))
            .args(["show", "--project-dir"])
            .arg(project.path())
            .arg("--profiles-dir")
            .arg(project.path())
            .args(["--inline", "select 1 as one", "--output", "json", "--log-format", "json"])
            .current_dir(project.path())
            .envs(floe_otel_testkit::peers::dbt::python_bytecode_cache())
            .output()
            .expect("running the stand-in");
        Scenario {
            secret,
            seed,
            run,
            failing_test,
            compile,
            show,
            raw_show,
            broken,
            fallback_seed,
            project,
            _copies: [broken_copy, fallback_copy],
        }
    })
}
