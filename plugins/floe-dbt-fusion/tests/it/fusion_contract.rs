//! The stand-in against its documented contract (dbt Fusion 2.0.0-preview.176, see
//! `tests/fusion/dbtf.py`): what it accepts and refuses, the JSON log lines it prints and
//! the artifacts it writes, and how the runner reads them.

use std::path::Path;
use std::process::{Command, Output};

use floe_otel_testkit::expect;
use floe_otel_testkit::peers::DbtProject;
use serde_json::Value;

use crate::peer;
use crate::scenario::scenario;

fn dbtf(project: &DbtProject, args: &[&str]) -> Output {
    Command::new(peer::documented_fusion(project))
        .args(args)
        .current_dir(project.path())
        .envs(floe_otel_testkit::peers::dbt::python_bytecode_cache())
        .output()
        .expect("running the stand-in")
}

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

#[test]
fn log_format_json_which_the_old_stand_in_refused_prints_fusions_json_events() {
    // The hand-written stand-in this replaces exited 2 on `--log-format json`; Fusion's
    // docs list json and otel as values.
    let output = &scenario().raw_show;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let events = json_lines(&output.stdout);
    for event in &events {
        for key in [
            "category",
            "code",
            "extra",
            "invocation_id",
            "level",
            "msg",
            "name",
            "pid",
            "thread",
            "ts",
        ] {
            assert!(event["info"].get(key).is_some(), "info.{key} missing: {event}");
        }
        assert!(event["data"].is_object(), "{event}");
    }
    assert_eq!(events[0]["info"]["name"], "MainReportVersion");
    assert_eq!(events[0]["info"]["code"], "A001");
    assert_eq!(
        events[0]["info"]["msg"],
        format!("Running with dbt-fusion={}", peer::FUSION_VERSION)
    );
    assert_eq!(events[0]["data"]["version"], format!("={}", peer::FUSION_VERSION));
    let show = events.iter().find(|e| e["info"]["name"] == "ShowNode").expect("a ShowNode event");
    assert_eq!(show["info"]["code"], "Q041");
    assert_eq!(show["data"]["output_format"], "json");
    assert_eq!(show["data"]["unique_id"], "sql_operation.inline_query");
    let rows: Value = serde_json::from_str(show["data"]["preview"].as_str().unwrap()).unwrap();
    assert_eq!(rows, serde_json::json!([{ "one": 1 }]));
    let last = events.last().unwrap();
    assert_eq!(
        (&last["info"]["name"], &last["data"]["success"]),
        (&"CommandCompleted".into(), &true.into())
    );
}

#[test]
fn the_runner_reads_show_rows_from_the_show_node_event() {
    let show = &scenario().show;
    let rows = show.result.as_ref().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["row_count"], 6, "stg_orders holds the six seeded orders");
    show.spans.assert_one(
        expect::span("dbt.run_command")
            .root()
            .ok()
            .attr(floe_core::telemetry::attr::DBT_COMMAND, "show")
            .attr(floe_core::telemetry::attr::DBT_ENGINE, "fusion")
            .without_text("count(*)"),
    );
}

#[test]
fn artifacts_land_in_the_target_path_in_fusions_run_results_shape() {
    let scenario = scenario();
    let seed = scenario.seed.result.as_ref().unwrap();
    assert_eq!(
        seed.nodes.iter().map(|n| n.unique_id.as_str()).collect::<Vec<_>>(),
        ["seed.floe_demo.raw_customers", "seed.floe_demo.raw_orders"]
    );
    assert!(seed.nodes.iter().all(|n| n.status == "success" && n.failures.is_none()));
    let target = scenario.project.path().join("target");
    let written: Value =
        serde_json::from_slice(&std::fs::read(target.join("run_results.json")).unwrap()).unwrap();
    assert_eq!(written["metadata"]["dbt_version"], peer::FUSION_VERSION);
    assert!(written["results"].as_array().unwrap().iter().all(|r| r.get("thread_id").is_some()));
    assert!(target.join("manifest.json").is_file());
    // Compile accepted the selection and the vars floe passes.
    let compile = scenario.compile.result.as_ref().unwrap();
    assert!(compile.node("model.floe_demo.stg_orders").is_some(), "{:?}", compile.nodes);
    assert!(
        compile.node("model.floe_demo.stg_customers").is_none(),
        "only stg_orders+ is selected"
    );
}

fn assert_refused(output: &Output, code: i32, stderr_start: &str) {
    assert_eq!(output.status.code(), Some(code), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with(stderr_start), "{stderr}");
}

#[test]
fn the_stand_in_refuses_what_the_documented_cli_refuses() {
    let project = DbtProject::copy().unwrap();
    let dir = project.path().to_string_lossy().into_owned();
    // dbt-sa-cli's main: an unknown argument is trimmed clap output and exit status 1.
    let unknown = dbtf(&project, &["run", "--project-dir", &dir, "--no-such-flag"]);
    assert_refused(&unknown, 1, "error: unexpected argument '--no-such-flag' found");
    // Other usage errors are clap's own, exit status 2.
    let format = dbtf(&project, &["run", "--project-dir", &dir, "--log-format", "xml"]);
    assert_refused(&format, 2, "error: invalid value 'xml' for '--log-format'");
    let vars = dbtf(&project, &["run", "--project-dir", &dir, "--vars", "{day:1}"]);
    assert_refused(
        &vars,
        2,
        "error: invalid value '{day:1}' for '--vars <VARS>': Invalid key-value pair",
    );
    let subcommand = dbtf(&project, &["lint", "--project-dir", &dir]);
    assert_refused(&subcommand, 2, "error: unrecognized subcommand 'lint'");
}

#[test]
fn a_target_path_in_dbt_project_yml_which_the_old_stand_in_ignored_is_refused() {
    let project = DbtProject::copy().unwrap();
    project.set_target_path("out").unwrap();
    let dir = project.path().to_string_lossy().into_owned();
    let output = dbtf(&project, &["seed", "--project-dir", &dir, "--log-format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let events = json_lines(&output.stdout);
    let error = events.iter().find(|e| e["info"]["level"] == "error").expect("an error event");
    assert_eq!(error["info"]["name"], "Generic");
    assert_eq!(
        error["info"]["msg"],
        "[error] [InvalidConfig (dbt1005)]: 'target-path' cannot be specified in dbt_project.yml"
    );
    assert!(!Path::new(&dir).join("out").exists());
}
