//! The runs shared by this binary's tests, on one built copy of the example project:
//! two suites with the failing-on-purpose test on, a suite whose check the project does
//! not define, and a suite with a profile that cannot connect.

use std::sync::OnceLock;

use floe_core::plugin::categories::{CheckSpec, QualityProvider as _, QualityReport, QualitySuite};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::peers::DbtProject;
use floe_otel_testkit::{Capture, CapturedSpans};
use floe_quality_dbt::{DbtQualityProvider, QualityDbtError};

use crate::peer;

pub(crate) struct Recorded {
    pub(crate) result: Result<Vec<QualityReport>, QualityDbtError>,
    pub(crate) spans: CapturedSpans,
    pub(crate) logs: Vec<String>,
}

pub(crate) struct Scenario {
    pub(crate) secret: String,
    pub(crate) two_suites: Recorded,
    pub(crate) undefined_check: Recorded,
    pub(crate) broken_profile: Recorded,
    _project: DbtProject,
}

fn record(
    runtime: &tokio::runtime::Runtime,
    provider: &DbtQualityProvider,
    suites: &[QualitySuite],
) -> Recorded {
    let capture = Capture::start();
    let result = runtime.block_on(provider.run_checks(suites));
    Recorded { result, spans: capture.spans(), logs: capture.logs() }
}

pub(crate) fn scenario() -> &'static Scenario {
    static SCENARIO: OnceLock<Scenario> = OnceLock::new();
    SCENARIO.get_or_init(|| {
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        let project = peer::built_project();
        let provider =
            DbtQualityProvider::new(peer::config(&project, Some("{floe_fail_on_purpose: true}")));
        let two_suites =
            record(&runtime, &provider, &[peer::orders_suite(), peer::customers_suite()]);
        let undefined = QualitySuite {
            name: "statuses".to_owned(),
            target: "stg_orders".to_owned(),
            checks: vec![CheckSpec {
                name: "status_known".to_owned(),
                kind: "accepted_values".to_owned(),
                column: Some("status".to_owned()),
                params: serde_json::Value::Null,
            }],
        };
        let undefined_check = record(&runtime, &provider, &[undefined]);
        let secret = planted_secret();
        let broken = DbtQualityProvider::new(peer::broken_config(&project, &secret));
        let broken_profile = record(&runtime, &broken, &[peer::orders_suite()]);
        Scenario { secret, two_suites, undefined_check, broken_profile, _project: project }
    })
}
