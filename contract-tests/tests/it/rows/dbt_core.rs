//! floe-dbt-core: `dbt seed` of the example project with the real dbt-core; the failure
//! runs it with a profile that cannot connect and quotes the planted password back.

use contract_tests::Row;
use floe_core::plugin::categories::{DbtCommand, DbtOptions, DbtRunner as _};
use floe_dbt_core::DbtCorePlugin;
use floe_otel_testkit::peers::DbtProject;

#[path = "../../../../plugins/floe-dbt-core/tests/it/peer.rs"]
#[expect(dead_code, reason = "helpers only the plugin's own tests use")]
mod peer;

pub(crate) const ROW: Row = Row { package: "floe-dbt-core", succeed, fail };

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime")
}

fn succeed() {
    let project = DbtProject::copy().expect("copying the example dbt project");
    let plugin = DbtCorePlugin::new(peer::settings(&project));
    let result = runtime().block_on(plugin.execute(DbtCommand::Seed, &DbtOptions::default()));
    assert!(result.expect("dbt seed succeeds").success);
}

fn fail(secret: &str) {
    let project = DbtProject::copy().expect("copying the example dbt project");
    let plugin = DbtCorePlugin::new(peer::broken_settings(&project, secret));
    let result = runtime().block_on(plugin.execute(DbtCommand::Seed, &DbtOptions::default()));
    assert!(result.is_err(), "a profile that cannot connect must fail");
}
