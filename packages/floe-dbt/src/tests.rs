//! Unit tests of the dbt artifacts, arguments and reports (no dbt needed; the plugins'
//! tests drive the real dbt-core).

use std::path::PathBuf;

use super::cli::Engine;
use super::launch::{Launch, launch_for};
use super::lint::{LintedFile, lint_result};
use super::output::{Cleaner, error_lines, log_messages, preview, strip_directories};
use super::target::target_dir;
use super::{DbtCli, DbtError, DbtSettings, Manifest, RunResults, Sqlfluff};
use floe_core::plugin::categories::{DbtCommand, DbtOptions};
use floe_core::secret::Secret;

const RUN_RESULTS: &str = r#"{
  "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json"},
  "elapsed_time": 0.72,
  "args": {"vars": {"password": "not-on-any-span"}},
  "results": [
    {"unique_id": "test.demo.unique_orders_id.e3b8", "status": "pass", "execution_time": 0.02,
     "message": null, "failures": 0, "timing": []},
    {"unique_id": "test.demo.amount_below_100.c1f9", "status": "fail", "execution_time": 0.04,
     "message": "Got 2 results, configured to fail if != 0\nsecond line", "failures": 2},
    {"unique_id": "model.demo.orders", "status": "ERROR", "execution_time": 0.1,
     "message": "\n  Catalog Error: cannot open postgres://app:FLOETEST-pw@db:5432/x"}
  ]
}"#;

#[test]
fn run_results_become_sorted_typed_nodes_with_clean_first_line_messages() {
    let parsed = RunResults::parse(RUN_RESULTS).unwrap();
    let result = parsed.into_command_result(
        DbtCommand::Test,
        false,
        floe_core::telemetry::sanitize_error_message,
    );
    let ids: Vec<&str> = result.nodes.iter().map(|n| n.unique_id.as_str()).collect();
    assert_eq!(
        ids,
        ["model.demo.orders", "test.demo.amount_below_100.c1f9", "test.demo.unique_orders_id.e3b8"]
    );
    let model = result.node("model.demo.orders").unwrap();
    assert_eq!(model.status, "error", "statuses are compared in lower case");
    assert_eq!(
        model.message.as_deref(),
        Some("Catalog Error: cannot open postgres://<REDACTED>@db:5432/x")
    );
    let failing = result.node("test.demo.amount_below_100.c1f9").unwrap();
    assert_eq!(failing.message.as_deref(), Some("Got 2 results, configured to fail if != 0"));
    assert_eq!(failing.failures, Some(2));
    assert_eq!((result.models_run(), result.tests_run(), result.failures().len()), (1, 2, 2));
    assert!((result.elapsed - 0.72).abs() < f64::EPSILON);
}

#[test]
fn manifest_finds_a_models_generic_and_singular_tests() {
    let manifest = Manifest::parse(
        r#"{"nodes": {
          "model.demo.orders": {"unique_id": "model.demo.orders", "name": "orders", "resource_type": "model"},
          "test.demo.not_null_orders_id.1": {"unique_id": "test.demo.not_null_orders_id.1", "name": "not_null_orders_id",
            "resource_type": "test", "column_name": "id", "attached_node": "model.demo.orders",
            "test_metadata": {"name": "not_null", "kwargs": {"column_name": "id"}, "namespace": null}},
          "test.demo.assert_positive.2": {"unique_id": "test.demo.assert_positive.2", "name": "assert_positive",
            "resource_type": "test", "depends_on": {"nodes": ["model.demo.orders"]}},
          "test.demo.other.3": {"unique_id": "test.demo.other.3", "name": "other", "resource_type": "test",
            "attached_node": "model.demo.customers"},
          "test.demo.relationships.4": {"unique_id": "test.demo.relationships.4", "name": "relationships_customers_to_orders",
            "resource_type": "test", "attached_node": "model.demo.customers",
            "depends_on": {"nodes": ["model.demo.customers", "model.demo.orders"]}}
        }}"#,
    )
    .unwrap();
    let model = manifest.model("orders").unwrap();
    let names: Vec<&str> = manifest.tests_on(&model.unique_id).map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["assert_positive", "not_null_orders_id"]);
    assert!(manifest.model("missing").is_none());
}

fn options() -> DbtOptions {
    DbtOptions {
        project_dir: PathBuf::from("/p"),
        profiles_dir: Some(PathBuf::from("/profiles")),
        target: Some("dev".to_owned()),
        select: vec!["stg_orders".to_owned(), "tag:daily".to_owned()],
        vars: Some("{fail: true}".to_owned()),
    }
}

#[test]
fn both_engines_are_asked_for_json_log_lines() {
    let core = DbtCli::new("dbt", Engine::Core).args(DbtCommand::Run, &options(), None);
    assert_eq!(
        core.join(" "),
        "run --project-dir /p --profiles-dir /profiles --target dev --vars {fail: true} \
         --log-format json --select stg_orders tag:daily"
    );
    let fusion = DbtCli::new("dbtf", Engine::Fusion).args(
        DbtCommand::Seed,
        &DbtOptions { project_dir: PathBuf::from("/p"), ..DbtOptions::default() },
        None,
    );
    assert_eq!(fusion, ["seed", "--project-dir", "/p", "--log-format", "json"]);
    let show = DbtCli::new("dbt", Engine::Core).args(
        DbtCommand::Show,
        &DbtOptions { project_dir: PathBuf::from("/p"), ..DbtOptions::default() },
        Some("select 1"),
    );
    assert_eq!(
        show.join(" "),
        "show --project-dir /p --inline select 1 --output json --log-format json"
    );
}

/// A script at `dir/name` whose first line is `shebang` and which holds `body`.
fn script(dir: &std::path::Path, name: &str, shebang: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join(name);
    std::fs::write(&path, format!("{shebang}\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn only_dbt_cores_python_entry_point_is_launched_with_arguments_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let python = script(dir.path(), "python3.11", "#!/bin/sh", "exit 0");
    let entry = "import sys\nfrom dbt.cli.main import cli\nsys.exit(cli())";
    let dbt = script(dir.path(), "dbt", &format!("#!{}", python.display()), entry);
    assert_eq!(launch_for(&dbt, Engine::Core), Launch::Python(python.clone()));
    assert!(DbtCli::new(&dbt, Engine::Core).uses_stdin());
    // Fusion is a native binary: its arguments stay on its command line.
    assert_eq!(launch_for(&dbt, Engine::Fusion), Launch::Direct);
    // A wrapper that is not dbt-core's entry point, a relative or non-Python interpreter.
    let wrapper = script(dir.path(), "dbt-wrapper", "#!/bin/sh", "exec dbt \"$@\"");
    let relative = script(dir.path(), "dbt-relative", "#!python3", entry);
    let env = script(dir.path(), "dbt-env", "#!/usr/bin/env python3", entry);
    for program in [wrapper, relative, env, dir.path().join("missing")] {
        assert_eq!(launch_for(&program, Engine::Core), Launch::Direct, "{}", program.display());
    }
}

#[test]
fn the_target_path_follows_each_engines_own_rules() {
    let project = tempfile::tempdir().unwrap();
    let p = project.path();
    let none = |_: &str| None;
    std::fs::write(p.join("dbt_project.yml"), "name: demo\ntarget-path: build/out\n").unwrap();
    assert_eq!(target_dir(p, Engine::Core, none).unwrap(), p.join("build/out"));
    // Fusion refuses that key (it reads DBT_TARGET_PATH only), so it is not read for it.
    assert_eq!(target_dir(p, Engine::Fusion, none).unwrap(), p.join("target"));
    let env = |name: &str| (name == "DBT_TARGET_PATH").then(|| "/abs/elsewhere".to_owned());
    assert_eq!(target_dir(p, Engine::Core, env).unwrap(), PathBuf::from("/abs/elsewhere"));
    assert_eq!(target_dir(p, Engine::Fusion, env).unwrap(), PathBuf::from("/abs/elsewhere"));
    let engine_first = |name: &str| match name {
        "DBT_ENGINE_TARGET_PATH" => Some("engine".to_owned()),
        "DBT_TARGET_PATH" => Some("legacy".to_owned()),
        _ => None,
    };
    assert_eq!(target_dir(p, Engine::Core, engine_first).unwrap(), p.join("engine"));
    let empty = |_: &str| Some(String::new());
    assert_eq!(target_dir(p, Engine::Core, empty).unwrap(), p.join("build/out"));
    std::fs::write(p.join("dbt_project.yml"), "name: demo\n").unwrap();
    assert_eq!(target_dir(p, Engine::Core, none).unwrap(), p.join("target"));
    std::fs::write(p.join("dbt_project.yml"), "target-path: \"{{ env_var('T') }}\"\n").unwrap();
    let err = target_dir(p, Engine::Core, none).unwrap_err();
    assert!(matches!(err, DbtError::TargetPath { .. }), "{err:?}");
    assert!(!err.to_string().contains(&p.display().to_string()), "{err}");
    // The environment handed to dbt wins over floe's own.
    let cli = DbtCli::new("dbt", Engine::Core)
        .with_env("DBT_TARGET_PATH", Secret::new("handed".to_owned()));
    assert_eq!(cli.target_dir(p).unwrap(), p.join("handed"));
}

/// A secret's text inside the project's path (here a two-letter password in a temporary
/// directory's name) is scrubbed first, and the path still becomes project-relative.
#[test]
fn a_project_path_holding_a_secrets_text_still_becomes_relative() {
    let project = tempfile::Builder::new().prefix("floe-pw-").tempdir().unwrap();
    let p = project.path();
    let cleaner = Cleaner::new([Secret::new("pw".to_owned())]).with_directory(p, "", "project");
    let text = format!("Compilation Error in {}/models/a.sql: password pw refused", p.display());
    assert_eq!(
        cleaner.clean(&text).as_str(),
        "Compilation Error in models/a.sql: password <redacted> refused"
    );
}

#[test]
fn directories_leave_dbt_text_but_project_relative_paths_and_urls_stay() {
    assert_eq!(
        strip_directories("Cannot open file \"/nonexistent/dir/host=db user=floe\": x"),
        "Cannot open file \"host=db user=floe\": x"
    );
    assert_eq!(strip_directories("see (/home/me/.dbt/profiles.yml)"), "see (profiles.yml)");
    assert_eq!(
        strip_directories("postgres://u@db:5432/x and models/a.sql and /root"),
        "postgres://u@db:5432/x and models/a.sql and /root"
    );
    let project = tempfile::tempdir().unwrap();
    let p = project.path();
    let name = p.file_name().unwrap().to_string_lossy().into_owned();
    let cleaner = Cleaner::new([Secret::new("pw-1234567".to_owned())])
        .with_directory(&p.join("target"), "target", "target")
        .with_directory(p, "", &name);
    let text = format!(
        "compiled {0}/models/a.sql into {0}/target/run/a.sql in {0} with pw-1234567",
        p.display()
    );
    assert_eq!(
        cleaner.clean(&text).as_str(),
        format!("compiled models/a.sql into target/run/a.sql in {name} with <redacted>")
    );
}

#[test]
fn settings_refuse_what_dbt_could_not_use_without_quoting_values() {
    let mut settings = DbtSettings::new("/p");
    settings.validate().unwrap();
    settings.vars = Some("[not, a, mapping, FLOETEST-hidden]".to_owned());
    let err = settings.validate().unwrap_err();
    assert_eq!(err.to_string(), "vars: must be a YAML mapping such as {name: value}");
    settings.vars = Some("{day: 2026-01-01}".to_owned());
    settings.timeout_secs = 0;
    assert_eq!(
        settings.validate().unwrap_err().to_string(),
        "timeout_secs: must be between 1 and 86400, found 0"
    );
    settings.timeout_secs = 60;
    settings.env.insert("BAD=NAME".to_owned(), Secret::new("v".to_owned()));
    assert_eq!(settings.validate().unwrap_err().key, "env.BAD=NAME");
    settings.env.clear();
    settings.lint_dialect = Some("duckdb; rm".to_owned());
    assert_eq!(settings.validate().unwrap_err().key, "lint_dialect");
    assert_eq!(DbtSettings::new("").validate().unwrap_err().key, "project_dir");
}

#[test]
fn a_missing_executable_or_project_is_named_without_its_directory() {
    let project = tempfile::tempdir().unwrap();
    let mut settings = DbtSettings::new(project.path());
    settings.venv = Some(project.path().join("venv"));
    let problem = settings.problem(&settings.dbt_executable()).unwrap();
    assert_eq!(problem, "dbt executable dbt not found in the configured venv's bin directory");
    let problem = settings.problem(std::path::Path::new("/bin/sh")).unwrap();
    let name = project.path().file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(problem, format!("project directory {name} holds no dbt_project.yml"));
}

#[test]
fn options_take_unset_fields_from_defaults() {
    let defaults = options();
    let merged = DbtOptions { target: Some("prod".to_owned()), ..DbtOptions::default() }
        .with_defaults(&defaults);
    assert_eq!(merged.project_dir, PathBuf::from("/p"));
    assert_eq!(merged.target.as_deref(), Some("prod"));
    assert_eq!(merged.select, defaults.select);
}

#[test]
fn json_log_errors_and_the_show_preview_are_read_from_stdout() {
    let stdout = concat!(
        "{\"info\": {\"level\": \"info\", \"msg\": \"Running with dbt=1.11.16\", \"name\": \"MainReportVersion\"}, \"data\": {}}\n",
        "not json\n",
        "{\"info\": {\"level\": \"error\", \"msg\": \"  Runtime Error\\n  Could not find profile\", \"name\": \"X\"}, \"data\": {}}\n",
        "{\"info\": {\"level\": \"info\", \"msg\": \"{}\", \"name\": \"ShowNode\"}, \"data\": {\"preview\": \"[{\\\"row_count\\\": 6}]\"}}\n",
    );
    assert_eq!(log_messages(stdout, true), ["Runtime Error\n  Could not find profile"]);
    assert_eq!(log_messages(stdout, false).len(), 3);
    // Fusion's error events carry a level prefix and, when known, the error code.
    let fusion = concat!(
        "{\"data\": {}, \"info\": {\"category\": \"\", \"code\": \"\", \"level\": \"error\", \"msg\": \"[error] [DbDriverFailed (dbt1308)]: Failed to connect\", \"name\": \"Generic\"}}\n",
        "{\"data\": {}, \"info\": {\"category\": \"\", \"code\": \"\", \"level\": \"error\", \"msg\": \"[error]: Test error message\", \"name\": \"Generic\"}}\n",
        "{\"data\": {\"success\": false}, \"info\": {\"code\": \"Q039\", \"level\": \"error\", \"msg\": \"Finished 'run' with 1 error\", \"name\": \"CommandCompleted\"}}\n",
    );
    assert_eq!(
        log_messages(fusion, true),
        ["[DbDriverFailed (dbt1308)]: Failed to connect", "Test error message"]
    );
    let rows = preview(stdout).unwrap();
    assert_eq!(rows[0]["row_count"], 6);
    assert!(preview("{}").is_none());
}

#[test]
fn cleaned_text_loses_the_environment_secrets_whatever_their_shape() {
    let cli = DbtCli::new("dbt", Engine::Core)
        .with_env("DBT_ENV_SECRET_PW", Secret::new("plainword42".to_owned()));
    assert_eq!(
        cli.clean("login with plainword42 refused").as_str(),
        "login with <redacted> refused"
    );
}

#[test]
fn lint_report_marks_files_with_violations_as_failed() {
    let files: Vec<LintedFile> = serde_json::from_str(
        r#"[{"filepath": "models/b.sql", "violations": [
              {"code": "LT09", "start_line_no": 1, "start_line_pos": 1, "warning": false},
              {"code": "LT01", "start_line_no": 1, "start_line_pos": 10},
              {"code": "AM04", "warning": true}]},
            {"filepath": "models/a.sql", "violations": []}]"#,
    )
    .unwrap();
    let result = lint_result(files, false);
    assert!(!result.success);
    assert_eq!(result.nodes[0].unique_id, "models/a.sql");
    assert_eq!(result.nodes[0].status, "pass");
    assert_eq!(result.nodes[1].status, "fail");
    assert_eq!(result.nodes[1].failures, Some(2), "warnings are not violations");
    assert_eq!(result.nodes[1].message.as_deref(), Some("LT09 at 1:1, LT01 at 1:10"));
    let args = Sqlfluff::new("sqlfluff")
        .with_dialect(Some("duckdb".to_owned()))
        .args(&DbtOptions::default());
    assert_eq!(
        args.join(" "),
        "lint models --format json --disable-progress-bar --nocolor --dialect duckdb"
    );
}

#[test]
fn plain_text_error_lines_are_picked_from_either_stream() {
    let stdout = "dbt-fusion 2.0.0\nerror: dbt1308: Failed to connect\n  Finished 'run'\n";
    assert_eq!(
        error_lines(stdout, "ERROR: bad flag\n"),
        ["ERROR: bad flag", "error: dbt1308: Failed to connect"]
    );
    assert!(error_lines("Succeeded [0.05s] model demo.orders\n", "").is_empty());
}
