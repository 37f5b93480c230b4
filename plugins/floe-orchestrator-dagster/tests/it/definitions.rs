//! The generated definitions, loaded by the pinned Dagster: assets and their inputs from
//! the dbt models, resources, the IO manager, schedules and sensors; and what the
//! generator refuses.

use std::process::Command;

use floe_core::plugin::categories::Orchestrator as _;
use floe_orchestrator_dagster::{DagsterPlugin, ScheduleConfig, SensorConfig};
use floe_otel_testkit::peers::venv_bin;
use serde_json::{Value, json};

use crate::peer::{DbtProject, write_files};

/// Loads `definitions.py` in `dir` with Dagster and describes what it declares.
fn describe(dir: &std::path::Path) -> Value {
    let script = "import importlib.util, json, sys\n\
        sys.path.insert(0, sys.argv[1])\n\
        spec = importlib.util.spec_from_file_location('d', sys.argv[1] + '/definitions.py')\n\
        m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n\
        repo = m.defs.get_repository_def()\n\
        graph = repo.asset_graph\n\
        print(json.dumps({\n\
          'assets': {k.to_user_string(): sorted(p.to_user_string() for p in graph.get(k).parent_keys) for k in graph.get_all_asset_keys()},\n\
          'schedules': {s.name: [s.cron_schedule, s.job_name] for s in repo.schedule_defs},\n\
          'sensors': sorted(s.name for s in repo.sensor_defs),\n\
          'resources': sorted(m.RESOURCES),\n\
          'io_manager': sorted({a.get_io_manager_key_for_asset_key(k) for a in m.ASSETS for k in a.keys}),\n\
        }))";
    let output = Command::new(venv_bin("python").expect("venv"))
        .args(["-c", script])
        .arg(dir)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("json")
}

#[test]
fn generated_definitions_pass_dagster_validation_and_declare_the_dbt_graph() {
    let project = DbtProject::start();
    let mut config = project.config("http://127.0.0.1:3000");
    config.schedules = vec![ScheduleConfig {
        name: "nightly".to_owned(),
        cron: "0 2 * * *".to_owned(),
        assets: vec![],
    }];
    config.sensors = vec![SensorConfig {
        name: "on_orders_file".to_owned(),
        path: "/data/orders.csv".to_owned(),
        assets: vec!["orders".to_owned()],
    }];
    let files = DagsterPlugin::new(config)
        .expect("valid")
        .generate_definitions(&project.artifacts())
        .expect("generated");
    let out = tempfile::tempdir().expect("tempdir");
    write_files(out.path(), &files);

    let validated = Command::new(venv_bin("dagster").expect("venv"))
        .args(["definitions", "validate", "-f", "definitions.py"])
        .current_dir(out.path())
        .env("DAGSTER_HOME", out.path())
        .output()
        .expect("dagster runs");

    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&validated.stdout),
        String::from_utf8_lossy(&validated.stderr)
    );
    assert!(validated.status.success(), "{log}");
    assert!(log.contains("All code locations passed validation"), "{log}");
    let declared = describe(out.path());
    assert_eq!(declared["assets"], json!({ "orders": [], "order_totals": ["orders"] }));
    assert_eq!(declared["schedules"], json!({ "nightly": ["0 2 * * *", "nightly_job"] }));
    assert_eq!(declared["sensors"], json!(["on_orders_file"]));
    assert_eq!(declared["resources"], json!(["dbt", "floe_io_manager"]));
    assert_eq!(declared["io_manager"], json!(["floe_io_manager"]));
}

fn refused(artifacts: &Value, config: floe_orchestrator_dagster::DagsterConfig) -> String {
    DagsterPlugin::new(config)
        .expect("valid")
        .generate_definitions(artifacts)
        .expect_err("refused")
        .to_string()
}

fn manifest(name: &str) -> Value {
    json!({ "dbt_manifest": { "nodes": {
        format!("model.shop.{name}"): { "resource_type": "model", "name": name, "config": { "materialized": "view" } },
        "test.shop.not_null": { "resource_type": "test", "name": "not_null" }
    } } })
}

#[test]
fn the_generator_refuses_what_would_not_be_valid_python_or_dagster() {
    let config =
        || floe_orchestrator_dagster::DagsterConfig::new("http://127.0.0.1:3000", "/srv/dbt");
    let mut bad_cron = config();
    bad_cron.schedules = vec![ScheduleConfig {
        name: "hourly".to_owned(),
        cron: "every hour".to_owned(),
        assets: vec![],
    }];
    let mut unknown_asset = config();
    unknown_asset.schedules = vec![ScheduleConfig {
        name: "hourly".to_owned(),
        cron: "0 * * * *".to_owned(),
        assets: vec!["nope".to_owned()],
    }];

    assert!(refused(&json!({}), config()).contains("no dbt_manifest.nodes"));
    assert!(
        refused(&manifest("Orders\"; import os"), config())
            .contains("is not a lower-case identifier")
    );
    assert!(refused(&manifest("context"), config()).contains("is not a lower-case identifier"));
    assert!(refused(&manifest("orders"), bad_cron).contains("is not a five-field cron expression"));
    assert!(
        refused(&manifest("orders"), unknown_asset)
            .contains("selects \"nope\", which is no dbt model")
    );
}

#[test]
fn only_models_become_assets_and_literals_are_quoted() {
    let mut config =
        floe_orchestrator_dagster::DagsterConfig::new("http://127.0.0.1:3000", "/srv/it's \"dbt\"");
    config.io_dir = "/srv/io".to_owned();
    let files = DagsterPlugin::new(config)
        .expect("valid")
        .generate_definitions(&manifest("orders"))
        .expect("generated");
    let code = &files.files["definitions.py"];

    assert!(code.contains("def orders(context):"), "{code}");
    assert!(!code.contains("not_null"), "tests are not assets: {code}");
    assert!(code.contains(r#"project_dir="/srv/it's \"dbt\"""#), "{code}");
    assert!(files.files["floe_runtime.py"].contains("TRACEPARENT_TAG = \"floe/traceparent\""));
}
