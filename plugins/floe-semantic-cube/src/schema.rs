//! The Cube data model generated from a dbt `manifest.json`, in Cube's YAML data-model
//! syntax (`cubes:` in `model/cubes/*.yml`, `snake_case` keys, as Cube 1.x reads it): one
//! cube per model, a dimension per column, measures from the columns' `meta.cube` tags,
//! joins and segments from the model's `meta.cube`. What Cube's compiler would refuse
//! (a member name used twice, a join to a cube that is not generated, a format Cube does
//! not have) is refused here, naming the model.

use std::collections::{BTreeMap, BTreeSet};

use floe_core::text::is_identifier;
use serde::Serialize;
use serde_json::Value;

use crate::error::CubeError;

/// Measure types Cube knows.
const MEASURE_TYPES: &[&str] = &[
    "count",
    "count_distinct",
    "count_distinct_approx",
    "sum",
    "avg",
    "min",
    "max",
    "number",
    "running_total",
];

/// `cubes:` of one data-model file.
#[derive(Debug, Serialize)]
pub(crate) struct ModelFile {
    pub(crate) cubes: Vec<Cube>,
}

/// Formats Cube accepts on a dimension; a measure takes only [`MEASURE_FORMATS`].
const DIMENSION_FORMATS: &[&str] = &["imageUrl", "link", "currency", "percent", "number", "id"];

/// Formats Cube accepts on a measure.
const MEASURE_FORMATS: &[&str] = &["percent", "currency", "number"];

/// One cube.
#[derive(Debug, Serialize)]
pub(crate) struct Cube {
    pub(crate) name: String,
    sql_table: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    joins: Vec<Join>,
    dimensions: Vec<Dimension>,
    measures: Vec<Measure>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    segments: Vec<Segment>,
    /// The dbt model it comes from (errors name it).
    #[serde(skip)]
    model: String,
}

impl Cube {
    /// Whether the cube has a dimension called `name`.
    pub(crate) fn has_dimension(&self, name: &str) -> bool {
        self.dimensions.iter().any(|d| d.name == name)
    }

    /// Every member name (dimensions, measures and segments share one namespace in Cube).
    fn member_names(&self) -> impl Iterator<Item = &str> {
        let dimensions = self.dimensions.iter().map(|d| d.name.as_str());
        let measures = self.measures.iter().map(|m| m.name.as_str());
        dimensions.chain(measures).chain(self.segments.iter().map(|s| s.name.as_str()))
    }
}

#[derive(Debug, Serialize)]
struct Segment {
    name: String,
    sql: String,
}

#[derive(Debug, Serialize)]
struct Join {
    name: String,
    relationship: String,
    sql: String,
}

#[derive(Debug, Serialize)]
struct Dimension {
    name: String,
    sql: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    primary_key: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<String>,
}

#[derive(Debug, Serialize)]
struct Measure {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sql: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<String>,
}

fn identifier(what: &'static str, name: &str, model: &str) -> Result<String, CubeError> {
    if is_identifier(name) {
        Ok(name.to_owned())
    } else {
        Err(CubeError::InvalidName { what, name: name.to_owned(), model: model.to_owned() })
    }
}

/// The Cube type of a dbt column's `data_type` (`string` when unknown).
pub(crate) fn dimension_type(data_type: Option<&str>) -> &'static str {
    let Some(data_type) = data_type else { return "string" };
    let lower = data_type.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&["timestamp", "date", "time"]) {
        "time"
    } else if has(&["bool"]) {
        "boolean"
    } else if has(&["int", "numeric", "decimal", "double", "float", "real", "number", "hugeint"]) {
        "number"
    } else {
        "string"
    }
}

/// `meta.cube` of a node or column: dbt writes `meta` at the top level and under
/// `config.meta`; the top level wins.
fn cube_meta(node: &Value) -> Option<&Value> {
    node.get("meta")
        .and_then(|m| m.get("cube"))
        .or_else(|| node.get("config").and_then(|c| c.get("meta")).and_then(|m| m.get("cube")))
}

fn text(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).filter(|s| !s.trim().is_empty()).map(str::to_owned)
}

/// The models of `manifest` that become cubes, by name.
fn models<'a>(
    manifest: &'a Value,
    include_tags: &[String],
) -> Result<BTreeMap<String, &'a Value>, CubeError> {
    let nodes = manifest.get("nodes").and_then(Value::as_object).ok_or_else(|| {
        CubeError::Manifest { reason: "no `nodes` object (is this dbt's manifest.json?)".into() }
    })?;
    let mut out = BTreeMap::new();
    for node in nodes.values() {
        if node.get("resource_type").and_then(Value::as_str) != Some("model") {
            continue;
        }
        let enabled = node.pointer("/config/enabled").and_then(Value::as_bool).unwrap_or(true);
        let cube_enabled =
            cube_meta(node).and_then(|m| m.get("enabled")).and_then(Value::as_bool).unwrap_or(true);
        let tags: Vec<&str> = node
            .get("tags")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let tagged =
            include_tags.is_empty() || include_tags.iter().any(|t| tags.contains(&t.as_str()));
        if !(enabled && cube_enabled && tagged) {
            continue;
        }
        let name = node
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| CubeError::Manifest { reason: "a model node has no `name`".into() })?;
        out.insert(name.to_owned(), node);
    }
    Ok(out)
}

fn sql_table(node: &Value, model: &str) -> Result<String, CubeError> {
    if let Some(relation) = text(node.get("relation_name")) {
        return Ok(relation);
    }
    let schema = text(node.get("schema")).ok_or_else(|| CubeError::Manifest {
        reason: format!("model {model} has neither `relation_name` nor `schema`"),
    })?;
    let alias = text(node.get("alias")).unwrap_or_else(|| model.to_owned());
    Ok(format!("{schema}.{alias}"))
}

fn column_members(
    model: &str,
    column: &str,
    spec: &Value,
    dimensions: &mut Vec<Dimension>,
    measures: &mut Vec<Measure>,
) -> Result<(), CubeError> {
    let name = identifier("column", column, model)?;
    let meta = cube_meta(spec);
    let flag = |key: &str| meta.and_then(|m| m.get(key)).and_then(Value::as_bool);
    let format = text(meta.and_then(|m| m.get("format")));
    if let Some(format) = format.as_deref().filter(|f| !DIMENSION_FORMATS.contains(f)) {
        return Err(CubeError::Meta {
            model: model.to_owned(),
            column: column.to_owned(),
            reason: format!(
                "format {format:?} is not a Cube format; expected one of {DIMENSION_FORMATS:?}"
            ),
        });
    }
    // A dimension format such as `id` or `link` means nothing on an aggregate.
    let measure_format = format.clone().filter(|f| MEASURE_FORMATS.contains(&f.as_str()));
    let description = text(spec.get("description"));
    if flag("dimension") != Some(false) {
        dimensions.push(Dimension {
            name: name.clone(),
            sql: format!("{{CUBE}}.{name}"),
            kind: dimension_type(spec.get("data_type").and_then(Value::as_str)),
            primary_key: flag("primary_key") == Some(true),
            description: description.clone(),
            format: format.clone(),
        });
    }
    let measure = meta.and_then(|m| m.get("measure"));
    let kinds: Vec<&str> = match measure {
        None => Vec::new(),
        Some(Value::String(kind)) => vec![kind.as_str()],
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).collect(),
        Some(_) => {
            return Err(CubeError::Meta {
                model: model.to_owned(),
                column: column.to_owned(),
                reason: "meta.cube.measure must be a measure type or a list of them".into(),
            });
        }
    };
    for kind in kinds {
        if !MEASURE_TYPES.contains(&kind) {
            return Err(CubeError::Meta {
                model: model.to_owned(),
                column: column.to_owned(),
                reason: format!("unknown measure type {kind:?}; expected one of {MEASURE_TYPES:?}"),
            });
        }
        measures.push(Measure {
            name: format!("{name}_{kind}"),
            kind: kind.to_owned(),
            sql: Some(format!("{{CUBE}}.{name}")),
            description: description.clone(),
            format: measure_format.clone(),
        });
    }
    Ok(())
}

fn joins(model: &str, node: &Value) -> Result<Vec<Join>, CubeError> {
    let Some(list) = cube_meta(node).and_then(|m| m.get("joins")).and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|join| {
            let field = |key: &str| {
                text(join.get(key)).ok_or_else(|| CubeError::Manifest {
                    reason: format!("a join of model {model} has no `{key}`"),
                })
            };
            let relationship = field("relationship")?;
            if !["one_to_one", "one_to_many", "many_to_one"].contains(&relationship.as_str()) {
                return Err(CubeError::Manifest {
                    reason: format!("join relationship {relationship:?} of model {model} is not one_to_one, one_to_many or many_to_one"),
                });
            }
            Ok(Join { name: identifier("join", &field("name")?, model)?, relationship, sql: field("sql")? })
        })
        .collect()
}

fn segments(model: &str, node: &Value) -> Result<Vec<Segment>, CubeError> {
    let Some(list) = cube_meta(node).and_then(|m| m.get("segments")).and_then(Value::as_array)
    else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|segment| {
            let field = |key: &str| {
                text(segment.get(key)).ok_or_else(|| CubeError::Manifest {
                    reason: format!("a segment of model {model} has no `{key}`"),
                })
            };
            Ok(Segment { name: identifier("segment", &field("name")?, model)?, sql: field("sql")? })
        })
        .collect()
}

/// Refuses what Cube's compiler refuses across cubes: a name used by two members of a
/// cube, two models becoming one cube, a join to a cube that is not generated.
fn check_model(cubes: &[Cube]) -> Result<(), CubeError> {
    let mut names = BTreeMap::new();
    for cube in cubes {
        if let Some(other) = names.insert(cube.name.as_str(), cube.model.as_str()) {
            return Err(CubeError::Manifest {
                reason: format!("models {other} and {} both become cube {}", cube.model, cube.name),
            });
        }
        let mut seen = BTreeSet::new();
        for member in cube.member_names() {
            if !seen.insert(member) {
                return Err(CubeError::DuplicateMember {
                    model: cube.model.clone(),
                    member: member.to_owned(),
                });
            }
        }
    }
    for cube in cubes {
        if let Some(join) = cube.joins.iter().find(|j| !names.contains_key(j.name.as_str())) {
            return Err(CubeError::Manifest {
                reason: format!(
                    "join {} of model {} names no generated cube (is its model disabled, untagged or missing?)",
                    join.name, cube.model
                ),
            });
        }
    }
    Ok(())
}

/// The cubes of `manifest`, sorted by name.
pub(crate) fn cubes(manifest: &Value, include_tags: &[String]) -> Result<Vec<Cube>, CubeError> {
    let mut out = Vec::new();
    for (model, node) in models(manifest, include_tags)? {
        let name =
            text(cube_meta(node).and_then(|m| m.get("name"))).unwrap_or_else(|| model.clone());
        let name = identifier("model", &name, &model)?;
        let mut dimensions = Vec::new();
        let mut measures = vec![Measure {
            name: "count".to_owned(),
            kind: "count".to_owned(),
            sql: None,
            description: None,
            format: None,
        }];
        if let Some(columns) = node.get("columns").and_then(Value::as_object) {
            // serde_json keeps object order here only with a feature; sort for stable output.
            let mut sorted: Vec<(&String, &Value)> = columns.iter().collect();
            sorted.sort_by_key(|(column, _)| *column);
            for (column, spec) in sorted {
                column_members(&model, column, spec, &mut dimensions, &mut measures)?;
            }
        }
        out.push(Cube {
            sql_table: sql_table(node, &model)?,
            description: text(node.get("description")),
            joins: joins(&model, node)?,
            segments: segments(&model, node)?,
            name,
            dimensions,
            measures,
            model,
        });
    }
    check_model(&out)?;
    Ok(out)
}
