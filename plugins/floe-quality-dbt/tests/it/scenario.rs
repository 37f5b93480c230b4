//! The runs shared by this binary's tests (dbt costs seconds per command). On one built
//! copy of the example project: two suites with the failing-on-purpose test on, then a
//! suite whose check the project does not define. Side by side, on copies of their own
//! that need no build: a suite on a model the project lacks, and a suite with a profile
//! that cannot connect.

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
    pub(crate) missing_model: Recorded,
    pub(crate) broken_profile: Recorded,
    pub(crate) project: DbtProject,
    _copies: [DbtProject; 2],
}

async fn record(provider: &DbtQualityProvider, suites: &[QualitySuite]) -> Recorded {
    let capture = Capture::detached();
    let result = capture.bind(provider.run_checks(suites)).await;
    Recorded { result, spans: capture.spans(), logs: capture.logs() }
}

pub(crate) fn scenario() -> &'static Scenario {
    static SCENARIO: OnceLock<Scenario> = OnceLock::new();
    SCENARIO.get_or_init(|| {
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        let secret = planted_secret();
        let unbuilt = DbtProject::copy().expect("copying the example dbt project");
        let broken_copy = DbtProject::copy().expect("copying the example dbt project");
        let built = async {
            let project = tokio::task::spawn_blocking(peer::built_project)
                .await
                .expect("building the project");
            let provider = DbtQualityProvider::new(peer::env_target_config(
                &project,
                Some("{floe_fail_on_purpose: true}"),
            ));
            let two_suites =
                record(&provider, &[peer::orders_suite(), peer::customers_suite()]).await;
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
            let undefined_check = record(&provider, &[undefined]).await;
            (project, two_suites, undefined_check)
        };
        let missing = QualitySuite {
            name: "ghosts".to_owned(),
            target: "no_such_model".to_owned(),
            checks: Vec::new(),
        };
        let lacking = DbtQualityProvider::new(peer::env_target_config(&unbuilt, None));
        let broken = DbtQualityProvider::new(peer::broken_config(&broken_copy, &secret));
        let suites = [peer::orders_suite()];
        let missing = [missing];
        let ((project, two_suites, undefined_check), missing_model, broken_profile) = runtime
            .block_on(async {
                tokio::join!(built, record(&lacking, &missing), record(&broken, &suites))
            });
        Scenario {
            secret,
            two_suites,
            undefined_check,
            missing_model,
            broken_profile,
            project,
            _copies: [unbuilt, broken_copy],
        }
    })
}
