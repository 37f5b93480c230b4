//! Unit tests of the dbt artifacts, arguments and reports (no dbt needed; the plugins'
//! tests drive the real dbt-core).

use std::path::PathBuf;

use super::cli::{error_lines, log_messages, preview};
use super::lint::{LintedFile, lint_result};
use super::{DbtCli, Engine, Manifest, RunResults, Sqlfluff};
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
fn core_arguments_ask_for_json_logs_and_fusion_arguments_do_not() {
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
    assert_eq!(fusion, ["seed", "--project-dir", "/p"]);
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
