//! One run of every command against one copy of the example project, shared by the tests
//! of this binary: seed, run, test with the failing-on-purpose test enabled, compile, lint
//! on a clean then a badly styled model, and seed with a profile that cannot connect.

use std::sync::OnceLock;

use floe_core::dbt::Manifest;
use floe_core::plugin::categories::{DbtCommand, DbtCommandResult, DbtOptions, DbtRunner as _};
use floe_dbt_core::{DbtCoreError, DbtCorePlugin};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::peers::DbtProject;
use floe_otel_testkit::{Capture, CapturedSpans};

use crate::peer;

/// A command's outcome and the spans it emitted.
pub(crate) struct Recorded {
    pub(crate) result: Result<DbtCommandResult, DbtCoreError>,
    pub(crate) spans: CapturedSpans,
    pub(crate) logs: Vec<String>,
}

pub(crate) struct Scenario {
    pub(crate) secret: String,
    pub(crate) seed: Recorded,
    pub(crate) run: Recorded,
    pub(crate) failing_test: Recorded,
    pub(crate) compile: Recorded,
    pub(crate) manifest_after_compile: Manifest,
    pub(crate) lint_clean: Recorded,
    pub(crate) lint_dirty: Recorded,
    pub(crate) broken_profile: Recorded,
    pub(crate) project: DbtProject,
}

/// A model whose style SQLFluff rejects (select targets on one line, no space after a comma).
pub(crate) const BADLY_STYLED_MODEL: &str = "select order_id,status from {{ ref('stg_orders') }}\n";

fn record(
    runtime: &tokio::runtime::Runtime,
    plugin: &DbtCorePlugin,
    command: DbtCommand,
    options: &DbtOptions,
) -> Recorded {
    let capture = Capture::start();
    let result = runtime.block_on(plugin.execute(command, options));
    Recorded { result, spans: capture.spans(), logs: capture.logs() }
}

/// The shared run (started by whichever test asks first).
pub(crate) fn scenario() -> &'static Scenario {
    static SCENARIO: OnceLock<Scenario> = OnceLock::new();
    SCENARIO.get_or_init(|| {
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        let project = DbtProject::copy().expect("copying the example dbt project");
        let plugin = DbtCorePlugin::new(peer::settings(&project));
        let defaults = DbtOptions::default();
        let seed = record(&runtime, &plugin, DbtCommand::Seed, &defaults);
        let run = record(&runtime, &plugin, DbtCommand::Run, &defaults);
        let failing = DbtOptions {
            vars: Some("{floe_fail_on_purpose: true}".to_owned()),
            ..DbtOptions::default()
        };
        let failing_test = record(&runtime, &plugin, DbtCommand::Test, &failing);
        let compile = record(&runtime, &plugin, DbtCommand::Compile, &defaults);
        let manifest_after_compile =
            plugin.manifest(&defaults).expect("compile wrote manifest.json");
        let lint_clean = record(&runtime, &plugin, DbtCommand::Lint, &defaults);
        std::fs::write(project.path().join("models").join("lint_probe.sql"), BADLY_STYLED_MODEL)
            .expect("writing the badly styled model");
        let lint_dirty = record(&runtime, &plugin, DbtCommand::Lint, &defaults);
        let secret = planted_secret();
        let broken = DbtCorePlugin::new(peer::broken_settings(&project, &secret));
        let broken_profile = record(&runtime, &broken, DbtCommand::Seed, &defaults);
        Scenario {
            secret,
            seed,
            run,
            failing_test,
            compile,
            manifest_after_compile,
            lint_clean,
            lint_dirty,
            broken_profile,
            project,
        }
    })
}
