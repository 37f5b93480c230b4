//! How a `dbt.run_command` fails when no node result explains it: a directory that is no
//! dbt project, a target path floe cannot work out (both refused before dbt starts),
//! dbt-core writing no results, or succeeding beside results nobody can read, and a
//! SQLFluff report polluted by the project's Jinja library, and a profile whose database
//! DuckDB cannot open. Each runs the real dbt-core or SQLFluff on a copy of the example
//! project, with a planted password in the environment handed to them or in the profile.

use floe_core::plugin::categories::{DbtCommand, DbtOptions, DbtRunner as _};
use floe_core::secret::Secret;
use floe_core::telemetry::{attr, describe_error};
use floe_dbt::{DbtError, DbtSettings};
use floe_dbt_core::telemetry::TRACER_NAME;
use floe_dbt_core::{DbtCoreError, DbtCorePlugin};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::peers::DbtProject;
use floe_otel_testkit::peers::dbt::{
    LINT_LIBRARY_OUTPUT, NO_JSON_ARTIFACTS, SELECTS_NOTHING, warehouse_url,
};
use floe_otel_testkit::{Capture, expect};

use crate::peer;

/// The runner's settings for `project`, with `secret` handed to dbt as a password.
fn settings(project: &DbtProject, secret: &str) -> DbtSettings {
    let mut settings = peer::settings(project);
    settings.env.insert("FLOE_WAREHOUSE_PASSWORD".to_owned(), Secret::new(secret.to_owned()));
    settings
}

/// Options that select no node: dbt parses the project and runs nothing.
fn nothing() -> DbtOptions {
    DbtOptions { select: vec![SELECTS_NOTHING.to_owned()], ..DbtOptions::default() }
}

#[tokio::test]
async fn a_directory_without_dbt_project_yml_is_refused_before_dbt_starts() {
    let project = DbtProject::copy().unwrap();
    project.remove_project_file().unwrap();
    let secret = planted_secret();
    let capture = Capture::start();
    let err = DbtCorePlugin::new(settings(&project, &secret))
        .execute(DbtCommand::Run, &DbtOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, DbtCoreError::Dbt(DbtError::ProjectNotFound { .. })), "{err:?}");
    let name = project.path().file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(err.to_string(), format!("project directory {name} holds no dbt_project.yml"));
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .error_description(format!("project directory {name} holds no dbt_project.yml"))
            .exception("DbtError")
            .attr(attr::DBT_COMMAND, "run")
            .attr(attr::DBT_ENGINE, "dbt-core")
            .no_attr(attr::DBT_NODES_COUNT),
    );
    capture.assert_none(expect::span("dbt.node"));
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_jinja_target_path_is_refused_naming_the_setting_to_use_instead() {
    let project = DbtProject::copy().unwrap();
    project.set_target_path("\"{{ env_var('FLOE_TARGET', 'target') }}\"").unwrap();
    let secret = planted_secret();
    let capture = Capture::start();
    let err = DbtCorePlugin::new(settings(&project, &secret))
        .execute(DbtCommand::Compile, &DbtOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, DbtCoreError::Dbt(DbtError::TargetPath { .. })), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cannot locate the dbt target path: target-path in dbt_project.yml is a Jinja \
         expression, which floe does not render: set DBT_TARGET_PATH in the plugin's env instead"
    );
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .error_containing("cannot locate the dbt target path: target-path in dbt_project.yml")
            .exception("DbtError")
            .attr(attr::DBT_COMMAND, "compile"),
    );
    capture.assert_none(expect::span("dbt.node"));
    capture.assert_no_secret(&secret);
    assert!(!project.dbt_has_run(), "dbt must not have run");
}

#[tokio::test]
async fn dbt_told_not_to_write_json_succeeds_and_floe_names_the_missing_results() {
    let project = DbtProject::copy().unwrap();
    let secret = planted_secret();
    let mut settings = settings(&project, &secret);
    let (name, value) = NO_JSON_ARTIFACTS;
    settings.env.insert(name.to_owned(), Secret::new(value.to_owned()));
    let capture = Capture::start();
    let err =
        DbtCorePlugin::new(settings).execute(DbtCommand::Compile, &nothing()).await.unwrap_err();
    assert!(matches!(err, DbtCoreError::Dbt(DbtError::MissingArtifact { .. })), "{err:?}");
    assert_eq!(err.to_string(), "dbt compile wrote no target/run_results.json");
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .error_description("dbt compile wrote no target/run_results.json")
            .exception("DbtError")
            .attr(attr::DBT_COMMAND, "compile")
            .no_attr(attr::DBT_NODES_COUNT),
    );
    capture.assert_none(expect::span("dbt.node"));
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_run_results_json_nobody_can_read_is_an_unusable_artifact() {
    let project = DbtProject::copy().unwrap();
    project.block_run_results("target").unwrap();
    let secret = planted_secret();
    // dbt succeeds without writing results; what is in their place cannot be read.
    let mut settings = settings(&project, &secret);
    let (name, value) = NO_JSON_ARTIFACTS;
    settings.env.insert(name.to_owned(), Secret::new(value.to_owned()));
    let capture = Capture::start();
    let err =
        DbtCorePlugin::new(settings).execute(DbtCommand::Compile, &nothing()).await.unwrap_err();
    assert!(matches!(err, DbtCoreError::Dbt(DbtError::Artifact { .. })), "{err:?}");
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
            .exception("DbtError")
            .attr(attr::DBT_COMMAND, "compile")
            .no_attr(attr::DBT_NODES_COUNT)
            .without_text(project.path().to_string_lossy()),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_lint_report_polluted_by_the_projects_jinja_library_is_unreadable() {
    let project = DbtProject::copy().unwrap();
    project.add_printing_lint_library().unwrap();
    let secret = planted_secret();
    let capture = Capture::start();
    let err = DbtCorePlugin::new(settings(&project, &secret))
        .execute(DbtCommand::Lint, &DbtOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, DbtCoreError::Dbt(DbtError::Report { tool: "sqlfluff", .. })), "{err:?}");
    assert_eq!(err.to_string(), "sqlfluff printed no report floe can read");
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .error_containing("sqlfluff printed no report floe can read")
            .exception("DbtError")
            .attr(attr::DBT_COMMAND, "lint")
            .no_attr(attr::DBT_LINT_VIOLATIONS)
            .without_text(LINT_LIBRARY_OUTPUT),
    );
    capture.assert_none(expect::span("dbt.node"));
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn a_warehouse_url_duckdb_quotes_from_the_profile_reaches_the_span_with_its_password_redacted()
 {
    let project = DbtProject::copy().unwrap();
    // Written in profiles.yml, never handed to floe: only the sanitizer can remove it.
    let password = planted_secret();
    let mut settings = peer::settings(&project);
    settings.profiles_dir = Some(project.write_literal_profile(&warehouse_url(&password)).unwrap());
    let capture = Capture::start();
    let err = DbtCorePlugin::new(settings)
        .execute(DbtCommand::Seed, &DbtOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, DbtCoreError::Dbt(DbtError::Failed { .. })), "{err:?}");
    let text = describe_error(&err).into_string();
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER_NAME)
            .error_containing(
                "IO Error: Cannot open file \"postgresql://<REDACTED>@db.internal:5432/warehouse\": \
                 No such file or directory",
            )
            .exception("DbtError")
            .attr(attr::DBT_COMMAND, "seed"),
    );
    capture.assert_none(expect::span("dbt.node"));
    capture.assert_secret_nowhere(&password, &[&text, &format!("{err:?}")]);
    capture.assert_conforms();
}
