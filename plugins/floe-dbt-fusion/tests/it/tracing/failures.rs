//! How the Fusion runner's commands fail, on either engine: a directory that is no dbt
//! project and a target path floe cannot work out (refused before any CLI starts), a
//! dbt-core that cannot start or writes no results, results nobody can read (which never
//! hide the CLI's own refusal), a model the database refuses, a profile whose database
//! DuckDB cannot open, and SQLFluff finding violations or printing something that is not
//! its report. The Fusion path runs the documented-contract CLI, the fallback the real
//! dbt-core, lint the real SQLFluff, each with a planted password in their environment or
//! in the profile.

use floe_core::plugin::categories::{DbtCommand, DbtOptions, DbtRunner as _};
use floe_core::secret::Secret;
use floe_core::telemetry::{attr, describe_error};
use floe_dbt::DbtError;
use floe_dbt_fusion::telemetry::TRACER_NAME;
use floe_dbt_fusion::{DbtFusionConfig, DbtFusionError, DbtFusionPlugin};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::peers::DbtProject;
use floe_otel_testkit::peers::dbt::{
    BADLY_STYLED_MODEL, ERRORING_MODEL, LINT_LIBRARY_OUTPUT, NO_JSON_ARTIFACTS, SELECTS_NOTHING,
    warehouse_url,
};
use floe_otel_testkit::{Capture, expect};

use crate::peer;

/// `config` with `secret` handed to the CLI as a password.
fn with_secret(mut config: DbtFusionConfig, secret: &str) -> DbtFusionConfig {
    config.dbt.env.insert("FLOE_WAREHOUSE_PASSWORD".to_owned(), Secret::new(secret.to_owned()));
    config
}

/// Options that select `name` only.
fn only(name: &str) -> DbtOptions {
    DbtOptions { select: vec![name.to_owned()], ..DbtOptions::default() }
}

#[tokio::test]
async fn a_directory_without_dbt_project_yml_is_refused_before_fusion_starts() {
    let project = DbtProject::copy().unwrap();
    project.remove_project_file().unwrap();
    let secret = planted_secret();
    let plugin = DbtFusionPlugin::new(with_secret(peer::fusion_config(&project), &secret));
    let capture = Capture::start();
    let err = plugin.execute(DbtCommand::Seed, &DbtOptions::default()).await.unwrap_err();
    assert!(matches!(err, DbtFusionError::Dbt(DbtError::ProjectNotFound { .. })), "{err:?}");
    let name = project.path().file_name().unwrap().to_string_lossy().into_owned();
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .error_description(format!("project directory {name} holds no dbt_project.yml"))
            .exception("DbtError")
            .attr(attr::DBT_ENGINE, "fusion")
            .attr(attr::DBT_FALLBACK, false),
    );
    capture.assert_none(expect::span("dbt.node"));
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn the_fallback_refuses_a_jinja_target_path_and_stops_when_dbt_core_cannot_start() {
    let project = DbtProject::copy().unwrap();
    project.set_target_path("\"{{ env_var('FLOE_TARGET', 'target') }}\"").unwrap();
    let secret = planted_secret();
    let capture = Capture::start();
    // dbt-core reads target-path from dbt_project.yml, so the fallback must work it out.
    let fallback = DbtFusionPlugin::new(with_secret(peer::fallback_config(&project), &secret));
    let err = fallback.execute(DbtCommand::Compile, &DbtOptions::default()).await.unwrap_err();
    assert!(matches!(err, DbtFusionError::Dbt(DbtError::TargetPath { .. })), "{err:?}");
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .error_containing("cannot locate the dbt target path: target-path in dbt_project.yml")
            .attr(attr::DBT_ENGINE, "dbt-core")
            .attr(attr::DBT_FALLBACK, true),
    );
    // Neither Fusion nor the configured virtualenv's dbt-core is there.
    let other = DbtProject::copy().unwrap();
    let mut missing = with_secret(peer::fallback_config(&other), &secret);
    missing.dbt.venv = Some(other.path().join("no-venv"));
    let err = DbtFusionPlugin::new(missing)
        .execute(DbtCommand::Seed, &DbtOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, DbtFusionError::Dbt(DbtError::Process { .. })), "{err:?}");
    assert_eq!(
        describe_error(&err).as_str(),
        "dbt seed did not run: cannot start dbt: No such file or directory (os error 2)"
    );
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .error_containing("dbt seed did not run: cannot start dbt")
            .attr(attr::DBT_COMMAND, "seed")
            .attr(attr::DBT_FALLBACK, true)
            .without_text(other.path().to_string_lossy()),
    );
    capture.assert_none(expect::span("dbt.node"));
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_fallback_run_told_not_to_write_json_is_missing_its_results() {
    let project = DbtProject::copy().unwrap();
    let secret = planted_secret();
    let mut config = with_secret(peer::fallback_config(&project), &secret);
    let (name, value) = NO_JSON_ARTIFACTS;
    config.dbt.env.insert(name.to_owned(), Secret::new(value.to_owned()));
    let capture = Capture::start();
    let err = DbtFusionPlugin::new(config)
        .execute(DbtCommand::Compile, &only(SELECTS_NOTHING))
        .await
        .unwrap_err();
    assert!(matches!(err, DbtFusionError::Dbt(DbtError::MissingArtifact { .. })), "{err:?}");
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .error_description("dbt compile wrote no target/run_results.json")
            .exception("DbtError")
            .attr(attr::DBT_FALLBACK, true)
            .no_attr(attr::DBT_NODES_COUNT),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_refused_project_is_reported_as_refused_not_as_the_results_left_unreadable() {
    let project = DbtProject::copy().unwrap();
    // The documented CLI refuses this at once (InvalidConfig dbt1005) and writes nothing;
    // Fusion's target path stays `target`, where run_results.json is a directory.
    project.set_target_path("elsewhere").unwrap();
    project.block_run_results("target").unwrap();
    let secret = planted_secret();
    let plugin = DbtFusionPlugin::new(with_secret(peer::fusion_config(&project), &secret));
    let capture = Capture::start();
    let err = plugin.execute(DbtCommand::Seed, &DbtOptions::default()).await.unwrap_err();
    assert!(matches!(err, DbtFusionError::Dbt(DbtError::Failed { result: None, .. })), "{err:?}");
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .error_containing("'target-path' cannot be specified in dbt_project.yml")
            .attr(attr::DBT_ENGINE, "fusion"),
    );
    capture.assert_no_secret(&secret);
}

#[tokio::test]
async fn results_nobody_can_read_beside_a_successful_fallback_are_an_unusable_artifact() {
    let project = DbtProject::copy().unwrap();
    project.block_run_results("target").unwrap();
    let secret = planted_secret();
    let mut config = with_secret(peer::fallback_config(&project), &secret);
    let (name, value) = NO_JSON_ARTIFACTS;
    config.dbt.env.insert(name.to_owned(), Secret::new(value.to_owned()));
    let capture = Capture::start();
    let err = DbtFusionPlugin::new(config)
        .execute(DbtCommand::Compile, &only(SELECTS_NOTHING))
        .await
        .unwrap_err();
    assert!(matches!(err, DbtFusionError::Dbt(DbtError::Artifact { .. })), "{err:?}");
    let text = describe_error(&err).into_string();
    assert!(
        text.starts_with("dbt compile: unusable artifact: cannot read run_results.json"),
        "{text}"
    );
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .error_containing("dbt compile: unusable artifact")
            .attr(attr::DBT_FALLBACK, true)
            .without_text(project.path().to_string_lossy()),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_model_the_database_refuses_under_fusion_ends_its_node_as_an_error() {
    let project = DbtProject::copy().unwrap();
    project.write_model("error_probe", ERRORING_MODEL).unwrap();
    let secret = planted_secret();
    let plugin = DbtFusionPlugin::new(with_secret(peer::fusion_config(&project), &secret));
    let capture = Capture::start();
    let err = plugin.execute(DbtCommand::Run, &only("error_probe")).await.unwrap_err();
    let DbtFusionError::Dbt(DbtError::Failed { result: Some(result), .. }) = &err else {
        panic!("expected a failed run with results, got {err:?}")
    };
    assert_eq!(result.failures().len(), 1);
    assert_eq!(result.failures()[0].status, "error");
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .error_containing("1 of 1 nodes failed: model.floe_demo.error_probe")
            .attr(attr::DBT_ENGINE, "fusion")
            .attr(attr::DBT_FAILURES, 1_i64),
    );
    capture.assert_one(
        expect::span("dbt.node")
            .parent("dbt.run_command")
            .scope(TRACER_NAME)
            .attr(attr::DBT_NODE_UNIQUE_ID, "model.floe_demo.error_probe")
            .attr(attr::DBT_NODE_STATUS, "error")
            .error_containing("error_probe")
            .exception("dbt_node_error")
            .without_text(project.path().to_string_lossy()),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_warehouse_url_duckdb_quotes_from_the_profile_reaches_the_span_with_its_password_redacted()
 {
    let project = DbtProject::copy().unwrap();
    // Written in profiles.yml, never handed to floe: only the sanitizer can remove it.
    let password = planted_secret();
    let mut config = peer::fusion_config(&project);
    config.dbt.profiles_dir =
        Some(project.write_literal_profile(&warehouse_url(&password)).unwrap());
    let capture = Capture::start();
    let err = DbtFusionPlugin::new(config)
        .execute(DbtCommand::Run, &DbtOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, DbtFusionError::Dbt(DbtError::Failed { result: None, .. })), "{err:?}");
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .error_containing(
                "Cannot open file \"postgresql://<REDACTED>@db.internal:5432/warehouse\": \
                 No such file or directory",
            )
            .exception("DbtError")
            .attr(attr::DBT_ENGINE, "fusion")
            .attr(attr::DBT_FALLBACK, false),
    );
    capture.assert_none(expect::span("dbt.node"));
    let text = describe_error(&err).into_string();
    capture.assert_secret_nowhere(&password, &[&text, &format!("{err:?}")]);
    capture.assert_conforms();
}

#[tokio::test]
async fn lint_under_fusion_fails_a_file_with_violations_and_an_unreadable_report() {
    let styled = DbtProject::copy().unwrap();
    styled.write_model("lint_probe", BADLY_STYLED_MODEL).unwrap();
    let noisy = DbtProject::copy().unwrap();
    noisy.add_printing_lint_library().unwrap();
    let secret = planted_secret();
    let capture = Capture::start();
    let lint = |project: &DbtProject| {
        let plugin = DbtFusionPlugin::new(with_secret(peer::fusion_config(project), &secret));
        async move { plugin.execute(DbtCommand::Lint, &DbtOptions::default()).await }
    };
    let (violations, unreadable) = tokio::join!(lint(&styled), lint(&noisy));
    let err = violations.unwrap_err();
    assert_eq!(
        err.to_string(),
        "dbt lint failed (exit status 1): 2 violations in 1 of 4 files: models/lint_probe.sql"
    );
    capture.assert_one(
        expect::span("dbt.node")
            .parent("dbt.run_command")
            .scope(TRACER_NAME)
            .attr(attr::DBT_NODE_UNIQUE_ID, "models/lint_probe.sql")
            .error_description("LT09 at 1:1, LT01 at 1:17")
            .exception("lint_violation"),
    );
    let err = unreadable.unwrap_err();
    assert!(
        matches!(err, DbtFusionError::Dbt(DbtError::Report { tool: "sqlfluff", .. })),
        "{err:?}"
    );
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .error_containing("sqlfluff printed no report floe can read")
            .attr(attr::DBT_COMMAND, "lint")
            .no_attr(attr::DBT_LINT_VIOLATIONS)
            .without_text(LINT_LIBRARY_OUTPUT),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}
