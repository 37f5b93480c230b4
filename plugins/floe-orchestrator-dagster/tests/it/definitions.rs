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
    manifest_of(&[(name, &[])])
}

/// A manifest of view models, each with the models it reads.
fn manifest_of(models: &[(&str, &[&str])]) -> Value {
    let mut nodes = serde_json::Map::new();
    for (name, upstream) in models {
        let depends: Vec<String> = upstream.iter().map(|u| format!("model.shop.{u}")).collect();
        nodes.insert(
            format!("model.shop.{name}"),
            json!({ "resource_type": "model", "name": name, "config": { "materialized": "view" },
                    "depends_on": { "nodes": depends } }),
        );
    }
    nodes.insert(
        "test.shop.not_null".to_owned(),
        json!({ "resource_type": "test", "name": "not_null" }),
    );
    json!({ "dbt_manifest": { "nodes": nodes } })
}

#[test]
fn the_generator_refuses_what_would_not_be_valid_python_or_dagster() {
    let config =
        || floe_orchestrator_dagster::DagsterConfig::new("http://127.0.0.1:3000", "/srv/dbt");
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
    assert!(
        refused(&manifest("context"), config()).contains(
            "\"context\" (model.shop.context) is a name the generated module uses itself"
        )
    );
    assert!(refused(&manifest("__builtins__"), config()).contains("is a Python special name"));
    assert!(
        refused(&manifest("orders"), unknown_asset)
            .contains("selects \"nope\", which is no dbt model")
    );
    let mut twins = manifest("orders");
    twins["dbt_manifest"]["nodes"]["model.other.orders"] =
        json!({ "resource_type": "model", "name": "orders" });
    assert!(
        refused(&twins, config()).contains(
            "dbt models model.other.orders and model.shop.orders are both named \"orders\""
        ),
        "{}",
        refused(&twins, config())
    );
}

/// Python's own keyword lists and the names Dagster refuses, from the interpreter and the
/// Dagster the definitions run with (so the generator's lists cannot drift from them).
fn reserved_names() -> (Vec<String>, Vec<String>, Vec<String>) {
    let script = "import json, keyword\n\
        from dagster._core.definitions.utils import DISALLOWED_NAMES\n\
        print(json.dumps([keyword.kwlist, keyword.softkwlist, sorted(DISALLOWED_NAMES)]))";
    let output = Command::new(venv_bin("python").expect("venv"))
        .args(["-c", script])
        .output()
        .expect("python runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("three lists")
}

/// Whether Python's parser accepts `code` (`ast.parse`), and its error if not.
fn python_parses(code: &str) -> Result<(), String> {
    let mut child = Command::new(venv_bin("python").expect("venv"))
        .args(["-c", "import ast, sys; ast.parse(sys.stdin.read())"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python runs");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), code.as_bytes())
        .expect("writing the code");
    let output = child.wait_with_output().expect("python ends");
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn a_model_named_after_any_python_keyword_is_refused_naming_it() {
    let (keywords, _, _) = reserved_names();
    let plugin = DagsterPlugin::new(floe_orchestrator_dagster::DagsterConfig::new(
        "http://127.0.0.1:3000",
        "/srv/dbt",
    ))
    .expect("valid");
    let lower: Vec<&String> =
        keywords.iter().filter(|k| k.chars().all(|c| c.is_ascii_lowercase())).collect();
    assert!(lower.len() >= 30, "{keywords:?}");
    for keyword in lower {
        // As a model, and as an upstream model another one reads (a parameter name).
        for artifacts in [manifest(keyword), manifest_of(&[(keyword, &[]), ("orders", &[keyword])])]
        {
            let err = plugin.generate_definitions(&artifacts).expect_err(keyword).to_string();
            assert!(
                err.contains(&format!(
                    "dbt model \"{keyword}\" (model.shop.{keyword}) is a Python keyword"
                )),
                "{err}"
            );
        }
    }
}

#[test]
fn a_model_named_like_a_name_dagster_reserves_is_refused_naming_it() {
    let (keywords, _, disallowed) = reserved_names();
    let plugin = DagsterPlugin::new(floe_orchestrator_dagster::DagsterConfig::new(
        "http://127.0.0.1:3000",
        "/srv/dbt",
    ))
    .expect("valid");
    let own: Vec<&String> = disallowed.iter().filter(|n| !keywords.contains(n)).collect();
    assert!(own.iter().any(|n| *n == "input"), "{disallowed:?}");
    for name in own {
        let err = plugin.generate_definitions(&manifest(name)).expect_err(name).to_string();
        assert!(err.contains(&format!("dbt model \"{name}\" (model.shop.{name}) is a ")), "{err}");
    }
}

#[test]
fn models_named_like_soft_keywords_or_builtins_generate_definitions_python_and_dagster_load() {
    let (_, soft, disallowed) = reserved_names();
    let mut names: Vec<String> = soft;
    names.extend(["list", "print", "id", "object", "len"].map(str::to_owned));
    names.retain(|n| !disallowed.contains(n));
    names.sort();
    names.dedup();
    assert!(names.iter().any(|n| n == "match") && names.iter().any(|n| n == "_"), "{names:?}");
    // Each reads the one before it, so every name is also a parameter.
    let models: Vec<(&str, Vec<&str>)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), if i == 0 { vec![] } else { vec![names[i - 1].as_str()] }))
        .collect();
    let pairs: Vec<(&str, &[&str])> = models.iter().map(|(n, u)| (*n, u.as_slice())).collect();
    let plugin = DagsterPlugin::new(floe_orchestrator_dagster::DagsterConfig::new(
        "http://127.0.0.1:3000",
        "/srv/dbt",
    ))
    .expect("valid");
    let files = plugin.generate_definitions(&manifest_of(&pairs)).expect("generated");
    python_parses(&files.files["definitions.py"]).unwrap();
    let out = tempfile::tempdir().expect("tempdir");
    write_files(out.path(), &files);
    let declared = describe(out.path());
    let assets = declared["assets"].as_object().expect("assets");
    assert_eq!(assets.len(), names.len(), "{declared}");
    for (i, name) in names.iter().enumerate().skip(1) {
        assert_eq!(assets[name], json!([names[i - 1]]), "{declared}");
    }
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

/// `floe compile` of a manifest whose `plugins.orchestrator` is this plugin with `config`.
fn compile(config: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let path = dir.path().join("platform.yaml");
    std::fs::write(
        &path,
        format!(
            "api_version: floe/v1\nplatform: {{ name: p, namespace: ns }}\n\
             plugins:\n  orchestrator:\n    type: dagster\n    config: {config}\n"
        ),
    )
    .expect("writing the manifest");
    let registry = floe_core::plugin::registered();
    floe_core::compile::compile(&floe_core::compile::CompileRequest {
        manifest: &path,
        output: None,
        registry: &registry,
        env: &|name: &str| {
            (name == "FLOE_SECRET_URL")
                .then(|| "http://floe:FLOETEST-pw-3a@10.1.2.3:3000".to_owned())
        },
    })
    .map(|_| ())
    .map_err(|e| e.to_string())
}

#[test]
fn configuration_mistakes_are_compile_errors_naming_the_manifest_key() {
    let base = "webserver_url: http://127.0.0.1:3000, dbt: { project_dir: p, profiles_dir: p }";
    compile(&format!("{{ {base} }}")).unwrap();
    let err = compile(&format!(
        "{{ {base}, schedules: [{{ name: nightly, cron: \"0 2 * * *\" }}, {{ name: hourly, cron: \"every hour\" }}] }}"
    ))
    .unwrap_err();
    assert!(
        err.ends_with("plugin dagster: plugins.orchestrator.config.schedules[1].cron: is not a five-field cron expression"),
        "{err}"
    );
    let err = compile(&format!(
        "{{ {base}, schedules: [{{ name: daily, cron: \"0 2 * * *\" }}], sensors: [{{ name: daily, path: /x }}] }}"
    ))
    .unwrap_err();
    assert!(err.ends_with("plugins.orchestrator.config.sensors[0].name: is already the name of another schedule or sensor"), "{err}");
    let err = compile(&format!("{{ {base}, timeout_secs: 0 }}")).unwrap_err();
    assert!(
        err.ends_with(
            "plugins.orchestrator.config.timeout_secs: must be between 1 and 300, found 0"
        ),
        "{err}"
    );
    let err =
        compile("{ webserver_url: \"${secret:url}\", dbt: { project_dir: p, profiles_dir: p } }")
            .unwrap_err();
    assert!(err.contains("plugins.orchestrator.config.webserver_url: "), "{err}");
    assert!(!err.contains("FLOETEST"), "{err}");
}
