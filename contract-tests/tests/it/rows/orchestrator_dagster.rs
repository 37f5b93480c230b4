//! floe-orchestrator-dagster: definitions generated from a real dbt project's manifest,
//! served by a real `dagster-webserver` that answers the GraphQL connection check; a
//! forced failure: a closed port, the planted secret as API token and in the URL's user
//! info.

#[path = "../../../../plugins/floe-orchestrator-dagster/tests/it/peer.rs"]
mod peer;

use floe_core::plugin::categories::Orchestrator as _;
use floe_orchestrator_dagster::{DagsterConfig, DagsterPlugin};
use floe_otel_testkit::peers::closed_port;

use super::block_on;

pub(crate) const ROW: contract_tests::Row =
    contract_tests::Row { package: "floe-orchestrator-dagster", succeed, fail };

fn succeed() {
    let project = peer::DbtProject::start();
    let out = tempfile::tempdir().expect("tempdir");
    let generator = DagsterPlugin::new(project.config("http://127.0.0.1:3000")).expect("valid");
    let files = generator.generate_definitions(&project.artifacts()).expect("generated");
    peer::write_files(out.path(), &files);
    let webserver = peer::Webserver::start(out.path());
    let plugin = DagsterPlugin::new(project.config(&webserver.url())).expect("valid");
    block_on(plugin.validate_connection()).expect("the webserver answers");
}

fn fail(secret: &str) {
    let mut config =
        DagsterConfig::new(format!("http://floe:{secret}@{}", closed_port()), "/srv/dbt");
    config.api_token = Some(secret.to_owned().into());
    let plugin = DagsterPlugin::new(config).expect("valid");
    block_on(plugin.validate_connection()).expect_err("nothing listens");
}
