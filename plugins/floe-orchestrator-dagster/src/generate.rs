//! Dagster definitions code from the compiled artifacts: one asset per dbt model (its
//! upstream models as inputs), the dbt resource, the JSON IO manager, schedules and file
//! sensors. Every literal is written as a JSON string (a valid Python literal); every name
//! that becomes a Python identifier is checked first.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use floe_core::plugin::categories::GeneratedFiles;
use serde_json::Value;

use crate::config::DagsterConfig;
use crate::error::DagsterError;

/// The runtime module the definitions import.
const RUNTIME: &str = include_str!("floe_runtime.py");
/// Python's lower-case keywords (`keyword.kwlist`, Python 3.9 to 3.13): no function or
/// parameter may be named after one. Soft keywords (`match`, `case`, `type`, `_`) are valid
/// names and are not listed.
const PYTHON_KEYWORDS: [&str; 32] = [
    "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
    "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
    "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];
/// Names the generated module binds itself (and asset functions' first parameter).
const RESERVED: [&str; 4] = ["context", "dg", "floe_runtime", "defs"];
/// Names Dagster refuses for an asset, op or input besides the keywords
/// (`DISALLOWED_NAMES` in `dagster/_core/definitions/utils.py`, Dagster 1.13).
const DAGSTER_RESERVED: [&str; 15] = [
    "arg_dict",
    "bool",
    "conf",
    "config",
    "context",
    "dict",
    "float",
    "input",
    "input_arg_dict",
    "int",
    "meta",
    "output",
    "output_arg_dict",
    "str",
    "type",
];

/// A dbt model as the generated code needs it.
#[derive(Debug)]
struct Model {
    name: String,
    materialized: String,
    tags: Vec<String>,
    upstream: Vec<String>,
}

fn is_identifier(name: &str) -> bool {
    python_name_problem(name).is_none()
}

/// Why `name` cannot be a function or parameter name in the generated module, if it cannot.
fn python_name_problem(name: &str) -> Option<&'static str> {
    if !floe_core::text::is_snake_case_identifier(name) {
        Some("is not a lower-case identifier")
    } else if PYTHON_KEYWORDS.contains(&name) {
        Some("is a Python keyword")
    } else if name.starts_with("__") && name.ends_with("__") {
        Some("is a Python special name (__name__ style)")
    } else if RESERVED.contains(&name) {
        Some("is a name the generated module uses itself")
    } else if DAGSTER_RESERVED.contains(&name) {
        Some("is a name Dagster reserves")
    } else {
        None
    }
}

fn literal(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

fn invalid(reason: impl Into<String>) -> DagsterError {
    DagsterError::Artifacts(reason.into())
}

/// The dbt models of `artifacts.dbt_manifest` (dbt's `manifest.json`), by unique id.
fn models(artifacts: &Value) -> Result<Vec<Model>, DagsterError> {
    let nodes = artifacts
        .pointer("/dbt_manifest/nodes")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the artifacts have no dbt_manifest.nodes"))?;
    let names: BTreeMap<&str, &str> = nodes
        .iter()
        .filter(|(_, node)| node["resource_type"] == "model")
        .filter_map(|(id, node)| Some((id.as_str(), node["name"].as_str()?)))
        .collect();
    let mut models = Vec::new();
    let mut seen = BTreeMap::new();
    for (id, name) in &names {
        if let Some(problem) = python_name_problem(name) {
            return Err(invalid(format!(
                "dbt model {name:?} ({id}) {problem}, so it cannot name its asset's function: rename the model"
            )));
        }
        if let Some(other) = seen.insert(*name, *id) {
            return Err(invalid(format!(
                "dbt models {other} and {id} are both named {name:?}: asset names must be unique"
            )));
        }
        let node = &nodes[*id];
        let upstream = node
            .pointer("/depends_on/nodes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|dep| names.get(dep.as_str()?).map(|n| (*n).to_owned()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let tags = node["tags"].as_array().into_iter().flatten();
        models.push(Model {
            name: (*name).to_owned(),
            materialized: node
                .pointer("/config/materialized")
                .and_then(Value::as_str)
                .unwrap_or("view")
                .to_owned(),
            tags: tags.filter_map(Value::as_str).map(str::to_owned).collect(),
            upstream,
        });
    }
    if models.is_empty() {
        return Err(invalid("the dbt manifest declares no model"));
    }
    Ok(models)
}

fn asset(out: &mut String, model: &Model) {
    let mut tags = vec![format!("\"dbt/materialized\": {}", literal(&model.materialized))];
    tags.extend(
        model.tags.iter().filter(|t| is_identifier(t)).map(|t| format!("\"dbt_tag/{t}\": \"\"")),
    );
    let ins: Vec<String> =
        model.upstream.iter().map(|u| format!("\"{u}\": dg.AssetIn(key=\"{u}\")")).collect();
    let params: String = model.upstream.iter().flat_map(|u| [", ", u.as_str()]).collect();
    let _ = write!(
        out,
        "\n@dg.asset(name=\"{name}\", group_name=\"dbt\", kinds={{\"dbt\"}}, tags={{{tags}}}, \
         ins={{{ins}}}, required_resource_keys={{\"dbt\"}}, io_manager_key=\"floe_io_manager\")\n\
         def {name}(context{params}):\n    return floe_runtime.run_model(context, \"{name}\")\n",
        name = model.name,
        tags = tags.join(", "),
        ins = ins.join(", "),
    );
}

fn selection(what: &str, assets: &[String], models: &[Model]) -> Result<String, DagsterError> {
    if assets.is_empty() {
        return Ok("dg.AssetSelection.all()".to_owned());
    }
    if let Some(unknown) = assets.iter().find(|a| !models.iter().any(|m| &m.name == *a)) {
        return Err(invalid(format!("{what} selects {unknown:?}, which is no dbt model")));
    }
    let keys: Vec<String> = assets.iter().map(|a| literal(a)).collect();
    Ok(format!("dg.AssetSelection.assets({})", keys.join(", ")))
}

fn check_cron(name: &str, cron: &str) -> Result<(), DagsterError> {
    if crate::config::is_cron(cron) {
        Ok(())
    } else {
        Err(invalid(format!("schedule {name}: {cron:?} is not a five-field cron expression")))
    }
}

/// The generated files and how many assets they declare.
pub(crate) fn definitions(
    config: &DagsterConfig,
    artifacts: &Value,
) -> Result<(GeneratedFiles, usize), DagsterError> {
    let models = models(artifacts)?;
    let platform = artifacts.pointer("/platform/name").and_then(Value::as_str).unwrap_or("floe");
    let mut out = format!(
        "\"\"\"Dagster definitions generated by floe from the compiled artifacts of {}. Do not edit.\"\"\"\n\
         import dagster as dg\n\nimport floe_runtime\n",
        platform.replace(['"', '\\', '\n'], "_"),
    );
    for model in &models {
        asset(&mut out, model);
    }
    let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    let dbt = &config.dbt;
    let _ = write!(
        out,
        "\nASSETS = [{}]\n\nRESOURCES = {{\n    \"dbt\": floe_runtime.FloeDbtResource(executable={}, project_dir={}, \
         profiles_dir={}, timeout_secs={}),\n    \"floe_io_manager\": floe_runtime.FloeIOManager(base_dir={}),\n}}\n\n",
        names.join(", "),
        literal(&dbt.executable),
        literal(&dbt.project_dir),
        literal(&dbt.profiles_dir),
        dbt.timeout_secs,
        literal(&config.io_dir),
    );
    let mut seen = BTreeSet::new();
    let (mut schedules, mut sensors) = (Vec::new(), Vec::new());
    for schedule in &config.schedules {
        let what = format!("schedule {}", schedule.name);
        if !is_identifier(&schedule.name) || !seen.insert(schedule.name.as_str()) {
            return Err(invalid(format!("{what}: names must be unique lower-case identifiers")));
        }
        check_cron(&schedule.name, &schedule.cron)?;
        let job = format!("{}_job", schedule.name);
        let _ = writeln!(
            out,
            "{job} = dg.define_asset_job({}, selection={})",
            literal(&job),
            selection(&what, &schedule.assets, &models)?
        );
        schedules.push(format!(
            "dg.ScheduleDefinition(name={}, cron_schedule={}, job={job}, execution_timezone=\"UTC\")",
            literal(&schedule.name),
            literal(&schedule.cron)
        ));
    }
    for sensor in &config.sensors {
        let what = format!("sensor {}", sensor.name);
        if !is_identifier(&sensor.name) || !seen.insert(sensor.name.as_str()) {
            return Err(invalid(format!("{what}: names must be unique lower-case identifiers")));
        }
        let job = format!("{}_job", sensor.name);
        let _ = writeln!(
            out,
            "{job} = dg.define_asset_job({}, selection={})",
            literal(&job),
            selection(&what, &sensor.assets, &models)?
        );
        sensors.push(format!(
            "floe_runtime.file_sensor({}, {}, {job})",
            literal(&sensor.name),
            literal(&sensor.path)
        ));
    }
    let _ = write!(
        out,
        "SCHEDULES = [{}]\nSENSORS = [{}]\n\n\
         defs = dg.Definitions(assets=ASSETS, schedules=SCHEDULES, sensors=SENSORS, resources=RESOURCES)\n",
        schedules.join(", "),
        sensors.join(", "),
    );
    let mut files = GeneratedFiles::default();
    files.files.insert("definitions.py".to_owned(), out);
    files.files.insert("floe_runtime.py".to_owned(), RUNTIME.to_owned());
    Ok((files, models.len()))
}
