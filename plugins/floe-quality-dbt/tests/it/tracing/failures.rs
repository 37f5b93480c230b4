//! How a suite's run fails through dbt: refused before dbt starts (no project, a target
//! path floe cannot work out, no dbt-core), dbt writing no results or results nobody can
//! read, `dbt show` printing no preview, a test the database refuses, a check the project
//! does not define, a profile whose database DuckDB cannot open. Each runs the real
//! dbt-core on a copy of the example project (an untested ephemeral model, `probe`, keeps
//! the runs short), with a planted password in the environment handed to dbt or in the
//! profile.

use floe_core::plugin::categories::{QualityProvider as _, QualityReport, QualitySuite};
use floe_core::secret::Secret;
use floe_core::telemetry::{attr, describe_error};
use floe_dbt::DbtError;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::peers::DbtProject;
use floe_otel_testkit::peers::dbt::{
    EMPTY_PREVIEW_MACRO, EPHEMERAL_MODEL, ERRORING_TEST, NO_JSON_ARTIFACTS, NO_LOG_EVENTS,
    warehouse_url,
};
use floe_otel_testkit::{Capture, CapturedSpans, expect};
use floe_quality_dbt::telemetry::TRACER_NAME;
use floe_quality_dbt::{DbtQualityConfig, DbtQualityProvider, QualityDbtError};

use crate::peer;
use crate::scenario::scenario;

/// A copy of the example project with the ephemeral, untested model `probe`.
fn probe_project() -> DbtProject {
    let project = DbtProject::copy().expect("copying the example dbt project");
    project.write_model("probe", EPHEMERAL_MODEL).expect("writing the probe model");
    project
}

/// The provider's configuration for `project`, with `secret` handed to dbt as a password
/// and `env` besides.
fn config(project: &DbtProject, secret: &str, env: &[(&str, &str)]) -> DbtQualityConfig {
    let mut config = peer::config(project, None);
    let planted = ("FLOE_WAREHOUSE_PASSWORD", secret);
    for (name, value) in env.iter().chain([&planted]) {
        config.dbt.env.insert((*name).to_owned(), Secret::new((*value).to_owned()));
    }
    config
}

/// Runs one suite on `probe` (no checks listed) and returns the outcome and its spans.
async fn run_probe(
    config: DbtQualityConfig,
) -> (Result<Vec<QualityReport>, QualityDbtError>, CapturedSpans) {
    let suite =
        QualitySuite { name: "probe".to_owned(), target: "probe".to_owned(), checks: Vec::new() };
    let capture = Capture::detached();
    let result = capture.bind(DbtQualityProvider::new(config).run_checks(&[suite])).await;
    (result, capture.spans())
}

#[tokio::test]
async fn suites_refused_before_dbt_starts_are_errors_from_the_command_span_up() {
    let secret = planted_secret();
    let no_project = DbtProject::copy().unwrap();
    no_project.remove_project_file().unwrap();
    let (result, spans) = run_probe(config(&no_project, &secret, &[])).await;
    let err = result.unwrap_err();
    assert!(matches!(err, QualityDbtError::Dbt(DbtError::ProjectNotFound { .. })), "{err:?}");
    spans.assert_one(
        expect::span("dbt.run_command")
            .parent("quality.run_suite")
            .scope(TRACER_NAME)
            .error_containing("holds no dbt_project.yml")
            .attr(attr::DBT_COMMAND, "test"),
    );
    spans.assert_one(
        expect::span("quality.run_checks").root().error_containing("holds no dbt_project.yml"),
    );
    spans.assert_no_secret(&secret);

    let jinja = probe_project();
    jinja.set_target_path("\"{{ env_var('FLOE_TARGET', 'target') }}\"").unwrap();
    let (result, spans) = run_probe(config(&jinja, &secret, &[])).await;
    let err = result.unwrap_err();
    assert!(matches!(err, QualityDbtError::Dbt(DbtError::TargetPath { .. })), "{err:?}");
    spans.assert_one(
        expect::span("dbt.run_command")
            .scope(TRACER_NAME)
            .error_containing("cannot locate the dbt target path: target-path in dbt_project.yml"),
    );
    spans.assert_one(expect::span("quality.run_suite").error_containing("is a Jinja expression"));
    spans.assert_no_secret(&secret);

    let no_dbt = probe_project();
    let mut missing = config(&no_dbt, &secret, &[]);
    missing.dbt.venv = Some(no_dbt.path().join("no-venv"));
    let (result, spans) = run_probe(missing).await;
    let err = result.unwrap_err();
    assert!(matches!(err, QualityDbtError::Dbt(DbtError::Process { .. })), "{err:?}");
    assert_eq!(
        describe_error(&err).as_str(),
        "dbt test did not run: cannot start dbt: No such file or directory (os error 2)"
    );
    spans.assert_one(
        expect::span("dbt.run_command")
            .scope(TRACER_NAME)
            .error_containing("dbt test did not run: cannot start dbt")
            .without_text(no_dbt.path().to_string_lossy()),
    );
    spans.assert_none(expect::span("dbt.node"));
    spans.assert_no_secret(&secret);
    spans.assert_conforms();
}

#[tokio::test]
async fn dbt_told_not_to_write_json_leaves_the_suite_without_results() {
    let project = probe_project();
    let secret = planted_secret();
    let (result, spans) = run_probe(config(&project, &secret, &[NO_JSON_ARTIFACTS])).await;
    let err = result.unwrap_err();
    assert!(matches!(err, QualityDbtError::Dbt(DbtError::MissingArtifact { .. })), "{err:?}");
    spans.assert_one(
        expect::span("dbt.run_command")
            .parent("quality.run_suite")
            .scope(TRACER_NAME)
            .error_description("dbt test wrote no target/run_results.json")
            .attr(attr::DBT_COMMAND, "test"),
    );
    spans.assert_one(
        expect::span("quality.run_checks")
            .root()
            .error_description("dbt test wrote no target/run_results.json"),
    );
    spans.assert_no_secret(&secret);
    spans.assert_conforms();
}

#[tokio::test]
async fn a_run_results_json_nobody_can_read_is_an_unusable_artifact() {
    let project = probe_project();
    project.block_run_results("target").unwrap();
    let secret = planted_secret();
    // dbt succeeds without writing results; what is in their place cannot be read.
    let (result, spans) = run_probe(config(&project, &secret, &[NO_JSON_ARTIFACTS])).await;
    let err = result.unwrap_err();
    assert!(matches!(err, QualityDbtError::Dbt(DbtError::Artifact { .. })), "{err:?}");
    spans.assert_one(
        expect::span("dbt.run_command")
            .parent("quality.run_suite")
            .scope(TRACER_NAME)
            .error_containing("dbt test: unusable artifact: cannot read run_results.json")
            .without_text(project.path().to_string_lossy()),
    );
    spans.assert_no_secret(&secret);
    spans.assert_conforms();
}

#[tokio::test]
async fn dbt_show_with_its_log_events_silenced_prints_no_row_count_preview() {
    let project = probe_project();
    let secret = planted_secret();
    let (result, spans) = run_probe(config(&project, &secret, &[NO_LOG_EVENTS])).await;
    let err = result.unwrap_err();
    assert!(matches!(err, QualityDbtError::Dbt(DbtError::NoPreview)), "{err:?}");
    spans.assert_one(
        expect::span("dbt.run_command")
            .parent("quality.run_suite")
            .ok()
            .attr(attr::DBT_COMMAND, "test"),
    );
    spans.assert_one(
        expect::span("dbt.run_command")
            .parent("quality.run_suite")
            .scope(TRACER_NAME)
            .error_description("dbt show printed no preview")
            .attr(attr::DBT_COMMAND, "show"),
    );
    spans.assert_one(
        expect::span("quality.run_suite").error_description("dbt show printed no preview"),
    );
    spans.assert_no_secret(&secret);
    spans.assert_conforms();
}

#[tokio::test]
async fn a_preview_without_a_row_is_a_suite_without_a_row_count() {
    let project = probe_project();
    project.write_macro("empty_previews", EMPTY_PREVIEW_MACRO).unwrap();
    let secret = planted_secret();
    let (result, spans) = run_probe(config(&project, &secret, &[])).await;
    let err = result.unwrap_err();
    assert!(matches!(err, QualityDbtError::NoRowCount { .. }), "{err:?}");
    assert_eq!(err.to_string(), "dbt show returned no row count for model probe");
    // Both dbt commands succeeded: the row count is what is missing.
    spans.assert_count(expect::span("dbt.run_command").parent("quality.run_suite").ok(), 2);
    spans.assert_one(
        expect::span("quality.run_suite")
            .parent("quality.run_checks")
            .error_description("dbt show returned no row count for model probe"),
    );
    spans.assert_one(
        expect::span("quality.run_checks")
            .root()
            .scope(TRACER_NAME)
            .error_description("dbt show returned no row count for model probe")
            .exception("QualityDbtError"),
    );
    spans.assert_no_secret(&secret);
    spans.assert_conforms();
}

#[tokio::test]
async fn a_test_the_database_refuses_ends_its_node_and_the_suite_as_errors() {
    let project = probe_project();
    project.write_singular_test("probe_joins_a_missing_table", ERRORING_TEST).unwrap();
    let secret = planted_secret();
    let (result, spans) = run_probe(config(&project, &secret, &[])).await;
    let err = result.unwrap_err();
    let QualityDbtError::Dbt(DbtError::Failed { result: Some(result), .. }) = &err else {
        panic!("expected a failed dbt test with results, got {err:?}")
    };
    assert_eq!(result.failures().len(), 1);
    assert_eq!(result.failures()[0].status, "error");
    spans.assert_one(
        expect::span("dbt.node")
            .parent("dbt.run_command")
            .scope(TRACER_NAME)
            .attr(attr::DBT_NODE_UNIQUE_ID, "test.floe_demo.probe_joins_a_missing_table")
            .attr(attr::DBT_NODE_STATUS, "error")
            .error_containing("probe_joins_a_missing_table")
            .exception("dbt_node_error")
            .without_text(project.path().to_string_lossy()),
    );
    spans.assert_one(
        expect::span("dbt.run_command")
            .scope(TRACER_NAME)
            .error_containing("dbt test failed (exit status 1): 1 of 1 nodes failed")
            .attr(attr::DBT_FAILURES, 1_i64),
    );
    spans.assert_one(
        expect::span("quality.run_checks").root().error_containing("1 of 1 nodes failed"),
    );
    spans.assert_no_secret(&secret);
    spans.assert_conforms();
}

#[tokio::test]
async fn a_warehouse_url_duckdb_quotes_from_the_profile_reaches_the_suite_with_its_password_redacted()
 {
    let project = DbtProject::copy().unwrap();
    // Written in profiles.yml, never handed to floe: only the sanitizer can remove it.
    let password = planted_secret();
    let mut config = peer::config(&project, None);
    config.dbt.profiles_dir =
        Some(project.write_literal_profile(&warehouse_url(&password)).unwrap());
    let capture = Capture::detached();
    let result =
        capture.bind(DbtQualityProvider::new(config).run_checks(&[peer::orders_suite()])).await;
    let spans = capture.spans();
    let err = result.unwrap_err();
    assert!(matches!(err, QualityDbtError::Dbt(DbtError::Failed { .. })), "{err:?}");
    let quoted = "IO Error: Cannot open file \"postgresql://<REDACTED>@db.internal:5432/warehouse\": \
                  No such file or directory";
    spans.assert_one(
        expect::span("dbt.run_command")
            .parent("quality.run_suite")
            .scope(TRACER_NAME)
            .error_containing(quoted)
            .exception("DbtError")
            .attr(attr::DBT_COMMAND, "test"),
    );
    spans.assert_one(expect::span("quality.run_suite").error_containing(quoted));
    spans.assert_one(expect::span("quality.run_checks").root().error_containing(quoted));
    spans.assert_none(expect::span("dbt.node"));
    let text = describe_error(&err).into_string();
    spans.assert_secret_nowhere(&password, &[&text, &format!("{err:?}")]);
    spans.assert_conforms();
}

#[test]
fn a_listed_check_the_project_does_not_define_is_an_error() {
    let recorded = &scenario().undefined_check;
    let err = recorded.result.as_ref().unwrap_err();
    assert!(matches!(err, QualityDbtError::CheckNotDefined { .. }), "{err:?}");
    assert_eq!(err.to_string(), "check status_known matches no dbt test on model stg_orders");
    recorded.spans.assert_one(
        expect::span("quality.run_suite")
            .parent("quality.run_checks")
            .error_description("check status_known matches no dbt test on model stg_orders"),
    );
    recorded.spans.assert_one(
        expect::span("quality.run_checks")
            .root()
            .scope(TRACER_NAME)
            .error_description("check status_known matches no dbt test on model stg_orders")
            .exception("QualityDbtError"),
    );
    // dbt ran the model's tests; matching them to the checks is what failed.
    recorded.spans.assert_one(expect::span("dbt.run_command").ok().attr(attr::DBT_COMMAND, "test"));
    recorded.spans.assert_conforms();
}
