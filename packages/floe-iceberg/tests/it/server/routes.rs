//! The endpoints of the loopback catalog: config, namespaces, tables and commits.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Answer, Catalog, PREFIX, Seen, WAREHOUSE, error, validate, violation};

/// Namespaces per page, small so that clients must follow `next-page-token`.
const PAGE: usize = 2;

/// `GET /v1/config?warehouse=...`.
pub(super) fn config(catalog: &mut Catalog, seen: &Seen) -> Answer {
    if seen.method != Method::GET {
        return violation(catalog, "config must be GET");
    }
    if validate::query_param(&seen.query, "warehouse").as_deref() != Some(WAREHOUSE) {
        return violation(catalog, "config without the client's warehouse");
    }
    // A default the override must beat.
    let body = json!({"defaults": {"prefix": "not-this-one"}, "overrides": {"prefix": PREFIX}});
    (StatusCode::OK, Some(body))
}

/// Every endpoint under `/v1/{prefix}/`.
pub(super) fn route(
    catalog: &mut Catalog,
    seen: &Seen,
    segments: &[String],
    body: &Value,
) -> Answer {
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let ["v1", prefix, rest @ ..] = segments.as_slice() else {
        return violation(catalog, &format!("no such endpoint {}", seen.path));
    };
    if *prefix != PREFIX {
        return violation(catalog, &format!("prefix {prefix:?} instead of the override"));
    }
    let namespace = |ns: &str| ns.split('\u{1f}').map(str::to_owned).collect::<Vec<_>>();
    match (&seen.method, rest) {
        (&Method::GET, ["namespaces"]) => list_namespaces(catalog, seen),
        (&Method::POST, ["namespaces"]) => create_namespace(catalog, body),
        (&Method::GET, ["namespaces", ns]) => match catalog.namespaces.get(&namespace(ns)) {
            Some(properties) => (
                StatusCode::OK,
                Some(json!({"namespace": namespace(ns), "properties": properties})),
            ),
            None => no_namespace(ns),
        },
        (&Method::DELETE, ["namespaces", ns]) => drop_namespace(catalog, &namespace(ns)),
        (&Method::GET, ["namespaces", ns, "tables"]) => list_tables(catalog, &namespace(ns)),
        (&Method::POST, ["namespaces", ns, "tables"]) => {
            create_table(catalog, &namespace(ns), body)
        }
        (method, ["namespaces", ns, "tables", table]) => {
            let key = (namespace(ns), (*table).to_owned());
            if !catalog.tables.contains_key(&key) {
                return error(
                    StatusCode::NOT_FOUND,
                    "NoSuchTableException",
                    &format!("Table does not exist: {}", key.1),
                );
            }
            match *method {
                Method::GET => {
                    let mut answer = loaded(&catalog.tables[&key]);
                    let delegated = seen
                        .access_delegation
                        .as_deref()
                        .is_some_and(|d| d.contains("vended-credentials"));
                    if let (true, Some(body)) = (delegated, answer.1.as_mut()) {
                        body["config"] = json!(catalog.vended);
                        if !catalog.vended_storage.is_empty() {
                            body["storage-credentials"] = json!(catalog.vended_storage);
                        }
                    }
                    answer
                }
                Method::DELETE => drop_table(catalog, seen, &key),
                Method::POST => commit(catalog, &key, body),
                _ => violation(catalog, &format!("{method} on a table")),
            }
        }
        _ => violation(catalog, &format!("no such endpoint {} {}", seen.method, seen.path)),
    }
}

fn no_namespace(ns: &str) -> Answer {
    let message = format!("Namespace does not exist: {}", ns.replace('\u{1f}', "."));
    error(StatusCode::NOT_FOUND, "NoSuchNamespaceException", &message)
}

fn list_namespaces(catalog: &mut Catalog, seen: &Seen) -> Answer {
    let parent: Vec<String> = validate::query_param(&seen.query, "parent")
        .map(|p| p.split('\u{1f}').map(str::to_owned).collect())
        .unwrap_or_default();
    if !parent.is_empty() && !catalog.namespaces.contains_key(&parent) {
        return no_namespace(&parent.join("."));
    }
    let children: Vec<&Vec<String>> = catalog
        .namespaces
        .keys()
        .filter(|ns| ns.len() == parent.len() + 1 && ns.starts_with(&parent))
        .collect();
    let start: usize = match validate::query_param(&seen.query, "pageToken") {
        Some(token) => match token.parse() {
            Ok(start) => start,
            Err(_) => return violation(catalog, &format!("page token {token:?} is not ours")),
        },
        None => 0,
    };
    let page: Vec<&Vec<String>> = children.iter().skip(start).take(PAGE).copied().collect();
    let next = (start + PAGE < children.len()).then(|| (start + PAGE).to_string());
    (StatusCode::OK, Some(json!({"namespaces": page, "next-page-token": next})))
}

fn create_namespace(catalog: &mut Catalog, body: &Value) -> Answer {
    if let Err(what) = validate::create_namespace(body) {
        return violation(catalog, &what);
    }
    let levels: Vec<String> =
        serde_json::from_value(body["namespace"].clone()).expect("validated above");
    if catalog.namespaces.contains_key(&levels) {
        let message = format!("Namespace already exists: {}", levels.join("."));
        return error(StatusCode::CONFLICT, "AlreadyExistsException", &message);
    }
    let properties = body.get("properties").cloned().unwrap_or_else(|| json!({}));
    let stored = serde_json::from_value(properties.clone()).expect("validated above");
    catalog.namespaces.insert(levels.clone(), stored);
    (StatusCode::OK, Some(json!({"namespace": levels, "properties": properties})))
}

fn drop_namespace(catalog: &mut Catalog, ns: &[String]) -> Answer {
    if !catalog.namespaces.contains_key(ns) {
        return no_namespace(&ns.join("\u{1f}"));
    }
    if catalog.tables.keys().any(|(table_ns, _)| table_ns == ns) {
        let message = format!("Namespace is not empty: {}", ns.join("."));
        return error(StatusCode::CONFLICT, "NamespaceNotEmptyException", &message);
    }
    catalog.namespaces.remove(ns);
    (StatusCode::NO_CONTENT, None)
}

fn list_tables(catalog: &mut Catalog, ns: &[String]) -> Answer {
    if !catalog.namespaces.contains_key(ns) {
        return no_namespace(&ns.join("\u{1f}"));
    }
    let identifiers: Vec<Value> = catalog
        .tables
        .keys()
        .filter(|(table_ns, _)| table_ns == ns)
        .map(|(table_ns, name)| json!({"namespace": table_ns, "name": name}))
        .collect();
    (StatusCode::OK, Some(json!({"identifiers": identifiers})))
}

fn create_table(catalog: &mut Catalog, ns: &[String], body: &Value) -> Answer {
    if let Err(what) = validate::create_table(body) {
        return violation(catalog, &what);
    }
    if !catalog.namespaces.contains_key(ns) {
        return no_namespace(&ns.join("\u{1f}"));
    }
    let name = body["name"].as_str().expect("validated above").to_owned();
    let key = (ns.to_vec(), name.clone());
    if catalog.tables.contains_key(&key) {
        let message = format!("Table already exists: {}.{name}", ns.join("."));
        return error(StatusCode::CONFLICT, "AlreadyExistsException", &message);
    }
    catalog.created += 1;
    let mut schema = body["schema"].clone();
    schema["schema-id"] = json!(0);
    let last_column_id = max_field_id(&schema);
    let mut spec = body.get("partition-spec").cloned().unwrap_or_else(|| json!({"fields": []}));
    spec["spec-id"] = json!(0);
    if let Some(fields) = spec["fields"].as_array_mut() {
        for (i, field) in (1000..).zip(fields.iter_mut()) {
            field["field-id"] = json!(i);
        }
    }
    let metadata = json!({
        "format-version": 2,
        "table-uuid": format!("00000000-0000-4000-8000-{:012}", catalog.created),
        "location": format!("file:///warehouse/{}/{name}", ns.join("/")),
        "last-updated-ms": 1_700_000_000_000_i64,
        "last-column-id": last_column_id,
        "current-schema-id": 0,
        "schemas": [schema],
        "default-spec-id": 0,
        "partition-specs": [spec],
        "last-partition-id": 999 + spec["fields"].as_array().map_or(0, Vec::len),
        "properties": body.get("properties").cloned().unwrap_or_else(|| json!({})),
        "current-snapshot-id": null,
        "snapshots": [],
        "refs": {},
        "sort-orders": [{"order-id": 0, "fields": []}],
        "default-sort-order-id": 0,
    });
    catalog.tables.insert(key, metadata);
    loaded(&catalog.tables[&(ns.to_vec(), name)])
}

fn drop_table(catalog: &mut Catalog, seen: &Seen, key: &(Vec<String>, String)) -> Answer {
    match validate::query_param(&seen.query, "purgeRequested").as_deref() {
        None | Some("true" | "false") => {}
        Some(other) => return violation(catalog, &format!("purgeRequested={other:?}")),
    }
    catalog.tables.remove(key);
    (StatusCode::NO_CONTENT, None)
}

fn commit(catalog: &mut Catalog, key: &(Vec<String>, String), body: &Value) -> Answer {
    if let Err(what) = validate::commit(body) {
        return violation(catalog, &what);
    }
    let mut metadata = catalog.tables[key].clone();
    for requirement in body["requirements"].as_array().expect("validated above") {
        if let Err(message) = check_requirement(&metadata, requirement) {
            return error(StatusCode::CONFLICT, "CommitFailedException", &message);
        }
    }
    for update in body["updates"].as_array().expect("validated above") {
        apply(&mut metadata, update);
    }
    let answer = loaded(&metadata);
    catalog.tables.insert(key.clone(), metadata);
    answer
}

fn check_requirement(metadata: &Value, requirement: &Value) -> Result<(), String> {
    let holds = match requirement["type"].as_str() {
        Some("assert-current-schema-id") => {
            metadata["current-schema-id"] == requirement["current-schema-id"]
        }
        Some("assert-ref-snapshot-id") => {
            let reference = requirement["ref"].as_str().unwrap_or_default();
            let actual =
                metadata["refs"].get(reference).map_or(Value::Null, |r| r["snapshot-id"].clone());
            actual == requirement["snapshot-id"]
        }
        Some("assert-table-uuid") => metadata["table-uuid"] == requirement["uuid"],
        _ => true,
    };
    if holds { Ok(()) } else { Err(format!("Requirement failed: {requirement}")) }
}

fn apply(metadata: &mut Value, update: &Value) {
    match update["action"].as_str() {
        Some("add-schema") => {
            let mut schema = update["schema"].clone();
            if schema.get("schema-id").is_none() {
                schema["schema-id"] = json!(metadata["schemas"].as_array().map_or(0, Vec::len));
            }
            metadata["last-column-id"] = json!(
                max_field_id(&schema).max(metadata["last-column-id"].as_i64().unwrap_or_default())
            );
            metadata["schemas"].as_array_mut().expect("a list of schemas").push(schema);
        }
        Some("set-current-schema") => {
            let id = update["schema-id"].as_i64().unwrap_or_default();
            let last = metadata["schemas"]
                .as_array()
                .and_then(|s| s.last())
                .map(|s| s["schema-id"].clone());
            metadata["current-schema-id"] =
                if id == -1 { last.unwrap_or(Value::Null) } else { json!(id) };
        }
        Some("add-snapshot") => {
            metadata["snapshots"].as_array_mut().expect("a list").push(update["snapshot"].clone());
        }
        Some("set-snapshot-ref") => {
            let name = update["ref-name"].as_str().unwrap_or_default().to_owned();
            metadata["refs"][&name] =
                json!({"snapshot-id": update["snapshot-id"], "type": update["type"]});
            if name == "main" {
                metadata["current-snapshot-id"] = update["snapshot-id"].clone();
            }
        }
        _ => {}
    }
}

fn max_field_id(schema: &Value) -> i64 {
    schema["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["id"].as_i64())
        .max()
        .unwrap_or(0)
}

fn loaded(metadata: &Value) -> Answer {
    let body = json!({
        "metadata-location": format!("{}/metadata/current.metadata.json", metadata["location"].as_str().unwrap_or_default()),
        "metadata": metadata,
        "config": {},
    });
    (StatusCode::OK, Some(body))
}
