//! The OpenLineage `RunEvent` JSON for a [`RunEvent`], checked before it is sent.

use floe_core::plugin::categories::{LineageDataset, RunEvent};
use serde_json::{Map, Value, json};

/// The `schemaURL` of every event: the `RunEvent` definition of OpenLineage spec 2-0-2.
pub const SCHEMA_URL: &str = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";

/// An event that would not be a valid OpenLineage run event.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EventError {
    /// The run id is not a UUID.
    #[error("run id {0:?} is not a UUID")]
    RunId(String),
    /// A name is empty.
    #[error("the {0} name is empty")]
    EmptyName(&'static str),
    /// A facet set is not an object of objects.
    #[error("{owner} facets must be an object of facet objects")]
    Facets {
        /// `run`, `job`, `dataset <name>`.
        owner: String,
    },
    /// A facet does not say which schema it follows.
    #[error("{owner} facet {facet:?} has no _schemaURL")]
    FacetSchema {
        /// `run`, `job`, `dataset <name>`.
        owner: String,
        /// The facet.
        facet: String,
    },
    /// A field every facet shares (`_producer`, `_schemaURL`, `_deleted`) is not what
    /// spec 2-0-2's `BaseFacet`, `JobFacet` or `DatasetFacet` requires.
    #[error("{owner} facet {facet:?}: {field} {requirement}")]
    FacetField {
        /// `run`, `job`, `dataset <name>`.
        owner: String,
        /// The facet.
        facet: String,
        /// The field.
        field: &'static str,
        /// What 2-0-2 requires of it.
        requirement: &'static str,
    },
}

/// Whose facets: run facets have no `_deleted` in spec 2-0-2; job and dataset facets
/// may set it, to a boolean.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    Run,
    Job,
    Dataset,
}

/// Whether `text` is an absolute URI (the `uri` format of the spec's `_producer` and
/// `_schemaURL`).
fn is_uri(text: &str) -> bool {
    url::Url::parse(text).is_ok()
}

/// Whether `text` is a UUID in its canonical 8-4-4-4-12 hexadecimal form.
pub fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The facets of `owner` with `_producer` filled in where missing.
///
/// # Errors
/// When they are not an object of objects, a facet has no `_schemaURL`, or a field of
/// the base facet is not what spec 2-0-2 requires.
fn facets(kind: Owner, owner: &str, facets: &Value, producer: &str) -> Result<Value, EventError> {
    let map = match facets {
        Value::Null => return Ok(json!({})),
        Value::Object(map) => map,
        _ => return Err(EventError::Facets { owner: owner.to_owned() }),
    };
    let mut out = Map::new();
    for (name, facet) in map {
        let Value::Object(fields) = facet else {
            return Err(EventError::Facets { owner: owner.to_owned() });
        };
        if !fields.get("_schemaURL").is_some_and(Value::is_string) {
            return Err(EventError::FacetSchema { owner: owner.to_owned(), facet: name.clone() });
        }
        let field = |field, requirement| EventError::FacetField {
            owner: owner.to_owned(),
            facet: name.clone(),
            field,
            requirement,
        };
        if !fields["_schemaURL"].as_str().is_some_and(is_uri) {
            return Err(field("_schemaURL", "must be an absolute URI"));
        }
        if fields.get("_producer").is_some_and(|p| !p.as_str().is_some_and(is_uri)) {
            return Err(field("_producer", "must be an absolute URI"));
        }
        if kind != Owner::Run && fields.get("_deleted").is_some_and(|d| !d.is_boolean()) {
            return Err(field("_deleted", "must be a boolean"));
        }
        let mut fields = fields.clone();
        fields.entry("_producer").or_insert_with(|| producer.into());
        out.insert(name.clone(), Value::Object(fields));
    }
    Ok(Value::Object(out))
}

fn dataset(dataset: &LineageDataset, producer: &str) -> Result<Value, EventError> {
    if dataset.namespace.is_empty() || dataset.name.is_empty() {
        return Err(EventError::EmptyName("dataset"));
    }
    Ok(json!({
        "namespace": dataset.namespace,
        "name": dataset.name,
        "facets": facets(
            Owner::Dataset,
            &format!("dataset {}", dataset.name),
            &dataset.facets,
            producer,
        )?,
    }))
}

/// The run event as OpenLineage JSON, in `namespace` (the event's own job namespace when it
/// has one).
///
/// # Errors
/// When the event would not be valid (see [`EventError`]).
pub fn run_event(event: &RunEvent, namespace: &str, producer: &str) -> Result<Value, EventError> {
    if !is_uuid(&event.run_id) {
        return Err(EventError::RunId(event.run_id.clone()));
    }
    if event.job_name.is_empty() {
        return Err(EventError::EmptyName("job"));
    }
    if namespace.is_empty() {
        return Err(EventError::EmptyName("job namespace"));
    }
    let inputs: Vec<Value> =
        event.inputs.iter().map(|d| dataset(d, producer)).collect::<Result<_, _>>()?;
    let outputs: Vec<Value> =
        event.outputs.iter().map(|d| dataset(d, producer)).collect::<Result<_, _>>()?;
    Ok(json!({
        "eventType": event.event_type.as_str(),
        "eventTime": humantime::format_rfc3339_millis(event.event_time).to_string(),
        "run": {
            "runId": event.run_id,
            "facets": facets(Owner::Run, "run", &event.run_facets, producer)?,
        },
        "job": {
            "namespace": namespace,
            "name": event.job_name,
            "facets": facets(Owner::Job, "job", &event.job_facets, producer)?,
        },
        "inputs": inputs,
        "outputs": outputs,
        "producer": producer,
        "schemaURL": SCHEMA_URL,
    }))
}

#[cfg(test)]
mod tests {
    use super::is_uuid;

    #[test]
    fn uuids_are_recognised_in_canonical_form_only() {
        assert!(is_uuid("0190a4a4-7f7e-7c2a-9a43-6f0f5e1c2b3d"));
        assert!(!is_uuid("0190a4a47f7e7c2a9a436f0f5e1c2b3d"));
        assert!(!is_uuid("run-1"));
        assert!(!is_uuid("0190a4a4-7f7e-7c2a-9a43-6f0f5e1c2b3g"));
    }
}
