//! Request shapes of the Iceberg REST `OpenAPI` specification: required fields and their
//! JSON types, and the discriminators of requirements and updates.

use serde_json::Value;

/// Decodes `%XX` escapes of a path segment.
pub(crate) fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded value of `name` in a query string.
pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find_map(|(key, value)| (key == name).then(|| percent_decode(&value.replace('+', " "))))
}

type Check = Result<(), String>;

fn field<'a>(object: &'a Value, name: &str, context: &str) -> Result<&'a Value, String> {
    object.get(name).ok_or_else(|| format!("{context}: required field `{name}` is missing"))
}

fn int(object: &Value, name: &str, context: &str) -> Check {
    field(object, name, context)?
        .as_i64()
        .map(drop)
        .ok_or_else(|| format!("{context}: `{name}` must be an integer"))
}

fn string(object: &Value, name: &str, context: &str) -> Check {
    field(object, name, context)?
        .as_str()
        .map(drop)
        .ok_or_else(|| format!("{context}: `{name}` must be a string"))
}

fn optional_string_map(object: &Value, name: &str, context: &str) -> Check {
    match object.get(name) {
        None => Ok(()),
        Some(Value::Object(map)) if map.values().all(Value::is_string) => Ok(()),
        Some(_) => Err(format!("{context}: `{name}` must map strings to strings")),
    }
}

/// `CreateNamespaceRequest`.
pub(crate) fn create_namespace(body: &Value) -> Check {
    let context = "CreateNamespaceRequest";
    let namespace = field(body, "namespace", context)?;
    let levels = namespace.as_array().ok_or(format!("{context}: `namespace` must be an array"))?;
    if levels.is_empty() || !levels.iter().all(Value::is_string) {
        return Err(format!("{context}: `namespace` must be a non-empty array of strings"));
    }
    optional_string_map(body, "properties", context)
}

/// `StructType` of a schema.
pub(crate) fn schema(schema: &Value, context: &str) -> Check {
    if field(schema, "type", context)? != "struct" {
        return Err(format!("{context}: schema `type` must be \"struct\""));
    }
    let fields = field(schema, "fields", context)?
        .as_array()
        .ok_or(format!("{context}: `fields` must be an array"))?;
    for column in fields {
        let context = format!("{context} StructField");
        int(column, "id", &context)?;
        string(column, "name", &context)?;
        column_type(field(column, "type", &context)?, &context)?;
        field(column, "required", &context)?
            .as_bool()
            .ok_or(format!("{context}: `required` must be a boolean"))?;
    }
    Ok(())
}

/// The primitive types of the Iceberg table specification (the REST `OpenAPI` document
/// only says a primitive type is a string; a real catalog refuses any other name).
const PRIMITIVES: [&str; 16] = [
    "boolean",
    "int",
    "long",
    "float",
    "double",
    "date",
    "time",
    "timestamp",
    "timestamptz",
    "timestamp_ns",
    "timestamptz_ns",
    "string",
    "uuid",
    "binary",
    "unknown",
    "variant",
];

/// A field's `Type`: a primitive of the table specification, `decimal(P,S)`,
/// `fixed[L]`, or a nested `struct`, `list` or `map`.
fn column_type(value: &Value, context: &str) -> Check {
    match value {
        Value::String(name) => {
            let sized = |open: &str, close: char| {
                name.strip_prefix(open).and_then(|rest| rest.strip_suffix(close)).is_some_and(|n| {
                    n.split(',').all(|part| {
                        !part.trim().is_empty() && part.trim().bytes().all(|b| b.is_ascii_digit())
                    })
                })
            };
            if PRIMITIVES.contains(&name.as_str()) || sized("decimal(", ')') || sized("fixed[", ']')
            {
                Ok(())
            } else {
                Err(format!("{context}: {name:?} is not an Iceberg type"))
            }
        }
        Value::Object(nested) => match nested.get("type").and_then(Value::as_str) {
            Some("struct") => schema(value, context),
            Some("list") => column_type(field(value, "element", context)?, context),
            Some("map") => {
                column_type(field(value, "key", context)?, context)?;
                column_type(field(value, "value", context)?, context)
            }
            _ => Err(format!("{context}: a nested type is a struct, list or map")),
        },
        _ => Err(format!("{context}: `type` must be a string or an object")),
    }
}

/// `CreateTableRequest`.
pub(crate) fn create_table(body: &Value) -> Check {
    let context = "CreateTableRequest";
    string(body, "name", context)?;
    schema(field(body, "schema", context)?, context)?;
    if let Some(spec) = body.get("partition-spec") {
        let fields = field(spec, "fields", "PartitionSpec")?
            .as_array()
            .ok_or("PartitionSpec: `fields` must be an array")?;
        for partition in fields {
            int(partition, "source-id", "PartitionField")?;
            string(partition, "transform", "PartitionField")?;
            string(partition, "name", "PartitionField")?;
        }
    }
    optional_string_map(body, "properties", context)
}

/// `CommitTableRequest`, with every requirement and update.
pub(crate) fn commit(body: &Value) -> Check {
    let context = "CommitTableRequest";
    if let Some(identifier) = body.get("identifier") {
        field(identifier, "namespace", "TableIdentifier")?;
        string(identifier, "name", "TableIdentifier")?;
    }
    let requirements = field(body, "requirements", context)?
        .as_array()
        .ok_or(format!("{context}: `requirements` must be an array"))?;
    for requirement in requirements {
        let kind = field(requirement, "type", "TableRequirement")?.as_str().unwrap_or_default();
        let context = format!("TableRequirement {kind}");
        match kind {
            "assert-create" => {}
            "assert-table-uuid" => string(requirement, "uuid", &context)?,
            "assert-ref-snapshot-id" => {
                string(requirement, "ref", &context)?;
                let id = field(requirement, "snapshot-id", &context)?;
                if !(id.is_null() || id.is_i64()) {
                    return Err(format!("{context}: `snapshot-id` must be an integer or null"));
                }
            }
            "assert-current-schema-id" => int(requirement, "current-schema-id", &context)?,
            "assert-last-assigned-field-id" => {
                int(requirement, "last-assigned-field-id", &context)?;
            }
            "assert-default-spec-id" => int(requirement, "default-spec-id", &context)?,
            other => return Err(format!("unknown requirement type {other:?}")),
        }
    }
    let updates = field(body, "updates", context)?
        .as_array()
        .ok_or(format!("{context}: `updates` must be an array"))?;
    for update in updates {
        update_shape(update)?;
    }
    Ok(())
}

fn update_shape(update: &Value) -> Check {
    let action = field(update, "action", "TableUpdate")?.as_str().unwrap_or_default();
    let context = format!("TableUpdate {action}");
    match action {
        "add-schema" => schema(field(update, "schema", &context)?, &context),
        "set-current-schema" => int(update, "schema-id", &context),
        "add-snapshot" => {
            let snapshot = field(update, "snapshot", &context)?;
            int(snapshot, "snapshot-id", "Snapshot")?;
            int(snapshot, "timestamp-ms", "Snapshot")?;
            string(snapshot, "manifest-list", "Snapshot")?;
            let operation = field(field(snapshot, "summary", "Snapshot")?, "operation", "Summary")?;
            match operation.as_str() {
                Some("append" | "replace" | "overwrite" | "delete") => Ok(()),
                _ => Err(format!("Summary: bad operation {operation}")),
            }
        }
        "set-snapshot-ref" => {
            string(update, "ref-name", &context)?;
            int(update, "snapshot-id", &context)?;
            match update.get("type").and_then(Value::as_str) {
                Some("branch" | "tag") => Ok(()),
                _ => Err(format!("{context}: `type` must be \"branch\" or \"tag\"")),
            }
        }
        "set-properties" => optional_string_map(update, "updates", &context)
            .and_then(|()| field(update, "updates", &context).map(drop)),
        "remove-properties" => field(update, "removals", &context)?
            .as_array()
            .map(drop)
            .ok_or(format!("{context}: `removals` must be an array")),
        other => Err(format!("unknown update action {other:?}")),
    }
}
