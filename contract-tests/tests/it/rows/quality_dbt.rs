//! floe-quality-dbt: the tests of `stg_customers` as a suite, on a built copy of the
//! example project with the real dbt-core; the failure runs a suite with a profile that
//! cannot connect and quotes the planted password back.

use contract_tests::Row;
use floe_core::plugin::categories::QualityProvider as _;
use floe_otel_testkit::peers::DbtProject;
use floe_quality_dbt::DbtQualityProvider;

#[path = "../../../../plugins/floe-quality-dbt/tests/it/peer.rs"]
#[expect(dead_code, reason = "helpers only the plugin's own tests use")]
mod peer;

pub(crate) const ROW: Row = Row { package: "floe-quality-dbt", succeed, fail };

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime")
}

fn succeed() {
    let project = peer::built_project();
    let provider = DbtQualityProvider::new(peer::config(&project, None));
    let reports = runtime().block_on(provider.run_checks(&[peer::customers_suite()]));
    assert_eq!(reports.expect("the suite runs")[0].fail_count(), 0);
}

fn fail(secret: &str) {
    let project = DbtProject::copy().expect("copying the example dbt project");
    let provider = DbtQualityProvider::new(peer::broken_config(&project, secret));
    let result = runtime().block_on(provider.run_checks(&[peer::orders_suite()]));
    assert!(result.is_err(), "a profile that cannot connect must fail the run");
}
