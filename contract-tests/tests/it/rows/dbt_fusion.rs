//! floe-dbt-fusion: without the Fusion CLI, `dbt seed` runs on the real dbt-core and the
//! span records the fallback; the failure runs the documented-contract Fusion CLI with a
//! profile that cannot open its database, whose JSON error event quotes the planted
//! password back.

use contract_tests::Row;
use floe_core::plugin::categories::{DbtCommand, DbtOptions, DbtRunner as _};
use floe_dbt_fusion::DbtFusionPlugin;
use floe_otel_testkit::peers::DbtProject;

#[path = "../../../../plugins/floe-dbt-fusion/tests/it/peer.rs"]
#[expect(dead_code, reason = "helpers only the plugin's own tests use")]
mod peer;

pub(crate) const ROW: Row = Row { package: "floe-dbt-fusion", succeed, fail };

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime")
}

fn succeed() {
    let project = DbtProject::copy().expect("copying the example dbt project");
    let plugin = DbtFusionPlugin::new(peer::fallback_config(&project));
    let result = runtime().block_on(plugin.execute(DbtCommand::Seed, &DbtOptions::default()));
    assert!(result.expect("dbt seed succeeds on the fallback").success);
}

fn fail(secret: &str) {
    let project = DbtProject::copy().expect("copying the example dbt project");
    let plugin = DbtFusionPlugin::new(peer::failing_fusion_config(&project, secret));
    let result = runtime().block_on(plugin.execute(DbtCommand::Run, &DbtOptions::default()));
    assert!(result.is_err(), "a Fusion CLI that cannot connect must fail");
}
