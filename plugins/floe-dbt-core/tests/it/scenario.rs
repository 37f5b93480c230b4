//! One run of every command, shared by the tests of this binary: seed, run, and test with
//! the failing-on-purpose test enabled; compile, then lint on a clean and on a badly styled
//! model, then run a model the database refuses; and seed with a profile that cannot
//! connect.

use std::sync::OnceLock;

use floe_core::plugin::categories::{DbtCommand, DbtCommandResult, DbtOptions, DbtRunner as _};
use floe_dbt::Manifest;
use floe_dbt_core::{DbtCoreError, DbtCorePlugin};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::peers::DbtProject;
use floe_otel_testkit::peers::dbt::{BADLY_STYLED_MODEL, ERRORING_MODEL};
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
    pub(crate) erroring_model: Recorded,
    pub(crate) broken_profile: Recorded,
    pub(crate) project: DbtProject,
    pub(crate) other: DbtProject,
    broken: DbtProject,
}

impl Scenario {
    /// The directory of the copy whose profile cannot connect (which no error may name).
    pub(crate) fn broken_path(&self) -> String {
        self.broken.path().display().to_string()
    }
}

async fn record(plugin: &DbtCorePlugin, command: DbtCommand, options: &DbtOptions) -> Recorded {
    let capture = Capture::detached();
    let result = capture.bind(plugin.execute(command, options)).await;
    Recorded { result, spans: capture.spans(), logs: capture.logs() }
}

/// The shared run (started by whichever test asks first). Three chains run side by side,
/// each on its own copy of the project (dbt commands on one copy must not overlap: they
/// share its database and `target/`).
pub(crate) fn scenario() -> &'static Scenario {
    static SCENARIO: OnceLock<Scenario> = OnceLock::new();
    SCENARIO.get_or_init(|| {
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        let project = DbtProject::copy().expect("copying the example dbt project");
        let other = DbtProject::copy().expect("copying the example dbt project");
        // The build chain finds its artifacts where DBT_TARGET_PATH says, the compile chain
        // where dbt_project.yml's target-path says: neither is `target/`.
        let plugin = DbtCorePlugin::new(peer::env_target_settings(&project));
        let compiler = DbtCorePlugin::new(peer::yml_target_settings(&other));
        let secret = planted_secret();
        let broken_copy = DbtProject::copy().expect("copying the example dbt project");
        let broken = DbtCorePlugin::new(peer::broken_settings(&broken_copy, &secret));
        let defaults = DbtOptions::default();
        let failing = DbtOptions {
            vars: Some("{floe_fail_on_purpose: true}".to_owned()),
            ..DbtOptions::default()
        };
        let build_and_test = async {
            let seed = record(&plugin, DbtCommand::Seed, &defaults).await;
            let run = record(&plugin, DbtCommand::Run, &defaults).await;
            let failing_test = record(&plugin, DbtCommand::Test, &failing).await;
            (seed, run, failing_test)
        };
        let compile_and_lint = async {
            let compile = record(&compiler, DbtCommand::Compile, &defaults).await;
            let manifest = compiler.manifest(&defaults).expect("compile wrote manifest.json");
            let lint_clean = record(&compiler, DbtCommand::Lint, &defaults).await;
            other
                .write_model("lint_probe", BADLY_STYLED_MODEL)
                .expect("writing the badly styled model");
            let lint_dirty = record(&compiler, DbtCommand::Lint, &defaults).await;
            other.write_model("error_probe", ERRORING_MODEL).expect("writing the erroring model");
            let only_probe =
                DbtOptions { select: vec!["error_probe".to_owned()], ..DbtOptions::default() };
            let erroring_model = record(&compiler, DbtCommand::Run, &only_probe).await;
            (compile, manifest, lint_clean, lint_dirty, erroring_model)
        };
        let (
            (seed, run, failing_test),
            (compile, manifest_after_compile, lint_clean, lint_dirty, erroring_model),
            broken_profile,
        ) = runtime.block_on(async {
            tokio::join!(
                build_and_test,
                compile_and_lint,
                record(&broken, DbtCommand::Seed, &defaults)
            )
        });
        Scenario {
            secret,
            seed,
            run,
            failing_test,
            compile,
            manifest_after_compile,
            lint_clean,
            lint_dirty,
            erroring_model,
            broken_profile,
            project,
            other,
            broken: broken_copy,
        }
    })
}
