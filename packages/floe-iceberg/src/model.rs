//! The JSON shapes of the Iceberg REST catalog protocol that floe uses, named as in the
//! REST `OpenAPI` specification (`rest-catalog-open-api.yaml`).
//!
//! Responses are read leniently (unknown fields ignored, optional lists defaulted), so a
//! catalog that returns more than the specification asks for still works.

use std::collections::BTreeMap;
use std::fmt;

use floe_core::secret::Secret;
use serde::{Deserialize, Serialize};

/// A namespace: one or more levels (`["bronze"]`, `["lake", "bronze"]`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Namespace(Vec<String>);

impl Namespace {
    /// A namespace of the given levels.
    pub fn new<S: Into<String>>(levels: impl IntoIterator<Item = S>) -> Self {
        Self(levels.into_iter().map(Into::into).collect())
    }

    /// A single-level namespace.
    pub fn single(name: impl Into<String>) -> Self {
        Self(vec![name.into()])
    }

    /// The levels.
    pub fn levels(&self) -> &[String] {
        &self.0
    }

    /// The levels joined by the unit separator (0x1F), as the protocol puts a namespace in
    /// a path segment or a `parent` query parameter.
    pub(crate) fn to_path_segment(&self) -> String {
        self.0.join("\u{1f}")
    }
}

/// The levels joined by `.`, as spans record it.
impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

/// A table: its namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TableIdent {
    /// The namespace.
    pub namespace: Namespace,
    /// The table's name within the namespace.
    pub name: String,
}

impl TableIdent {
    /// `namespace.name`.
    pub fn new(namespace: Namespace, name: impl Into<String>) -> Self {
        Self { namespace, name: name.into() }
    }
}

impl fmt::Display for TableIdent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.namespace, self.name)
    }
}

/// The answer of `GET /v1/config`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogConfigResponse {
    /// Properties the client's own configuration overrides.
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
    /// Properties that override the client's configuration (`prefix`, ...).
    #[serde(default)]
    pub overrides: BTreeMap<String, String>,
    /// The endpoints the server supports, when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<String>>,
}

/// A namespace and its properties (create and load responses).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespaceInfo {
    /// The namespace.
    pub namespace: Namespace,
    /// Its properties.
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
}

/// An Iceberg schema (`{"type": "struct", ...}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "struct", rename_all = "kebab-case")]
pub struct Schema {
    /// The schema id; the catalog assigns one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_id: Option<i32>,
    /// Field ids that identify a row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifier_field_ids: Vec<i32>,
    /// The columns.
    pub fields: Vec<NestedField>,
}

impl Schema {
    /// A schema of `fields` with no id.
    pub fn new(fields: Vec<NestedField>) -> Self {
        Self { schema_id: None, identifier_field_ids: Vec::new(), fields }
    }

    /// Sets the schema id.
    #[must_use]
    pub fn with_id(mut self, schema_id: i32) -> Self {
        self.schema_id = Some(schema_id);
        self
    }

    /// The highest field id, for `last-column-id`.
    pub fn highest_field_id(&self) -> i32 {
        self.fields.iter().map(|f| f.id).max().unwrap_or(0)
    }
}

/// One column of a schema.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NestedField {
    /// The field id, unique in the table.
    pub id: i32,
    /// The column name.
    pub name: String,
    /// The type: a primitive name (`"long"`, `"string"`, `"timestamp"`) or a nested type.
    #[serde(rename = "type")]
    pub field_type: serde_json::Value,
    /// Whether values are required.
    pub required: bool,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

impl NestedField {
    /// An optional column of a primitive type.
    pub fn optional(id: i32, name: impl Into<String>, primitive: &str) -> Self {
        Self { id, name: name.into(), field_type: primitive.into(), required: false, doc: None }
    }

    /// A required column of a primitive type.
    pub fn required(id: i32, name: impl Into<String>, primitive: &str) -> Self {
        Self { required: true, ..Self::optional(id, name, primitive) }
    }
}

/// A partition spec.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PartitionSpec {
    /// The spec id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_id: Option<i32>,
    /// The partition fields.
    pub fields: Vec<PartitionField>,
}

/// One partition field: a transform of a source column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PartitionField {
    /// The source column's field id.
    pub source_id: i32,
    /// The partition field id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_id: Option<i32>,
    /// The partition field's name.
    pub name: String,
    /// The transform: `identity`, `day`, `bucket[16]`, ...
    pub transform: String,
}

/// The body of a create-table request.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct CreateTable {
    /// The table's name.
    pub name: String,
    /// Its schema.
    pub schema: Schema,
    /// Its partition spec; unpartitioned when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_spec: Option<PartitionSpec>,
    /// Where its files go; the catalog decides when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Table properties.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
}

impl CreateTable {
    /// A table named `name` with `schema`, unpartitioned.
    pub fn new(name: impl Into<String>, schema: Schema) -> Self {
        Self {
            name: name.into(),
            schema,
            partition_spec: None,
            location: None,
            properties: BTreeMap::new(),
        }
    }

    /// Partitions the table by `spec`.
    #[must_use]
    pub fn with_partition_spec(mut self, spec: PartitionSpec) -> Self {
        self.partition_spec = Some(spec);
        self
    }
}

/// A table as the catalog returns it (create, load and commit responses).
///
/// Its `config` and `storage_credentials` can hold storage credentials the catalog
/// vended, so every value is a [`Secret`]: `Debug` shows the keys, never a value.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LoadedTable {
    /// Where the current metadata file is.
    #[serde(default)]
    pub metadata_location: Option<String>,
    /// The table metadata.
    pub metadata: TableMetadata,
    /// Per-table client configuration (storage credentials, endpoints).
    #[serde(default)]
    pub config: BTreeMap<String, Secret<String>>,
    /// Credentials for storage locations (`storage-credentials`, REST specification
    /// 1.7 and later); a client looks here before `config`.
    #[serde(default)]
    pub storage_credentials: Vec<StorageCredential>,
}

/// Storage credentials for the locations under `prefix` (`s3://bucket/warehouse/`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct StorageCredential {
    /// The storage location prefix the credential is for.
    pub prefix: String,
    /// The credential's properties (`s3.access-key-id`, ...), every value secret.
    pub config: BTreeMap<String, Secret<String>>,
}

impl LoadedTable {
    /// The storage properties to use for this table, as the REST specification says a
    /// client picks them: the `config` map, overridden by the `storage-credentials`
    /// whose `prefix` the table's location starts with, the longest prefix winning. A
    /// credential for another location is not this table's and is left out.
    pub fn vended_config(&self) -> BTreeMap<String, Secret<String>> {
        let location = self.metadata.location.as_deref().unwrap_or_default();
        let mut matching: Vec<&StorageCredential> = self
            .storage_credentials
            .iter()
            .filter(|credential| location.starts_with(credential.prefix.as_str()))
            .collect();
        matching.sort_by_key(|credential| credential.prefix.len());
        let mut config = self.config.clone();
        for credential in matching {
            config.extend(credential.config.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        config
    }
}

/// The parts of the table metadata floe reads.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct TableMetadata {
    /// 1, 2 or 3.
    pub format_version: u8,
    /// The table's UUID.
    pub table_uuid: String,
    /// The table's base location.
    #[serde(default)]
    pub location: Option<String>,
    /// The highest column id assigned.
    #[serde(default)]
    pub last_column_id: i32,
    /// The current schema's id.
    #[serde(default)]
    pub current_schema_id: i32,
    /// Every schema the table had.
    #[serde(default)]
    pub schemas: Vec<Schema>,
    /// The default partition spec's id.
    #[serde(default)]
    pub default_spec_id: i32,
    /// The partition specs.
    #[serde(default)]
    pub partition_specs: Vec<PartitionSpec>,
    /// The current snapshot, if any.
    #[serde(default)]
    pub current_snapshot_id: Option<i64>,
    /// The snapshots.
    #[serde(default)]
    pub snapshots: Vec<Snapshot>,
    /// Branches and tags.
    #[serde(default)]
    pub refs: BTreeMap<String, SnapshotRef>,
    /// Table properties.
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
}

impl TableMetadata {
    /// The current schema.
    pub fn current_schema(&self) -> Option<&Schema> {
        self.schemas.iter().find(|s| s.schema_id == Some(self.current_schema_id))
    }

    /// The snapshot id a branch or tag points at.
    pub fn ref_snapshot_id(&self, name: &str) -> Option<i64> {
        self.refs.get(name).map(|r| r.snapshot_id)
    }
}

/// A snapshot of the table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Snapshot {
    /// The snapshot id.
    pub snapshot_id: i64,
    /// Its parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_snapshot_id: Option<i64>,
    /// Its sequence number (format version 2 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<i64>,
    /// When it was committed, in milliseconds since the epoch.
    pub timestamp_ms: i64,
    /// The manifest list file.
    pub manifest_list: String,
    /// `operation` (`append`, `overwrite`, ...) and other summary properties.
    pub summary: BTreeMap<String, String>,
    /// The schema the snapshot was written with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_id: Option<i32>,
}

/// A branch or tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SnapshotRef {
    /// The snapshot it points at.
    pub snapshot_id: i64,
    /// `branch` or `tag`.
    #[serde(rename = "type")]
    pub kind: RefKind,
}

/// The kind of a snapshot reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RefKind {
    /// A branch (`main`).
    Branch,
    /// A tag.
    Tag,
}

/// A condition the catalog checks before it applies a commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case", rename_all_fields = "kebab-case")]
pub enum TableRequirement {
    /// The table's UUID is this one.
    AssertTableUuid {
        /// The expected UUID.
        uuid: String,
    },
    /// The ref points at this snapshot (`None`: the ref must not exist).
    AssertRefSnapshotId {
        /// The branch or tag.
        #[serde(rename = "ref")]
        reference: String,
        /// The expected snapshot.
        snapshot_id: Option<i64>,
    },
    /// The current schema is this one.
    AssertCurrentSchemaId {
        /// The expected schema id.
        current_schema_id: i32,
    },
    /// The highest assigned column id is this one.
    AssertLastAssignedFieldId {
        /// The expected id.
        last_assigned_field_id: i32,
    },
    /// The default partition spec is this one.
    AssertDefaultSpecId {
        /// The expected spec id.
        default_spec_id: i32,
    },
}

/// A change to apply to a table's metadata.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case", rename_all_fields = "kebab-case")]
pub enum TableUpdate {
    /// Adds a schema.
    AddSchema {
        /// The new schema.
        schema: Schema,
        /// The highest column id after the change.
        #[serde(skip_serializing_if = "Option::is_none")]
        last_column_id: Option<i32>,
    },
    /// Makes a schema current; `-1` means the schema added last in this commit.
    SetCurrentSchema {
        /// The schema id.
        schema_id: i32,
    },
    /// Adds a snapshot.
    AddSnapshot {
        /// The snapshot.
        snapshot: Snapshot,
    },
    /// Points a branch or tag at a snapshot.
    SetSnapshotRef {
        /// The branch or tag.
        ref_name: String,
        /// Branch or tag.
        #[serde(rename = "type")]
        kind: RefKind,
        /// The snapshot.
        snapshot_id: i64,
    },
    /// Sets table properties.
    SetProperties {
        /// The properties to set.
        updates: BTreeMap<String, String>,
    },
    /// Removes table properties.
    RemoveProperties {
        /// The keys to remove.
        removals: Vec<String>,
    },
}

/// The body of a commit (update-table) request.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TableCommit {
    /// What must hold for the commit to apply.
    pub requirements: Vec<TableRequirement>,
    /// What to change.
    pub updates: Vec<TableUpdate>,
}

impl TableCommit {
    /// An empty commit.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a requirement.
    #[must_use]
    pub fn require(mut self, requirement: TableRequirement) -> Self {
        self.requirements.push(requirement);
        self
    }

    /// Adds an update.
    #[must_use]
    pub fn update(mut self, update: TableUpdate) -> Self {
        self.updates.push(update);
        self
    }
}

/// The error body every endpoint answers failures with.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct ErrorResponse {
    pub(crate) error: ErrorModel,
}

/// `{"message", "type", "code"}`.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct ErrorModel {
    pub(crate) message: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
}

/// A page of `GET .../namespaces`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ListNamespacesPage {
    #[serde(default)]
    pub(crate) namespaces: Vec<Namespace>,
    #[serde(default)]
    pub(crate) next_page_token: Option<String>,
}

/// A page of `GET .../tables`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ListTablesPage {
    #[serde(default)]
    pub(crate) identifiers: Vec<TableIdent>,
    #[serde(default)]
    pub(crate) next_page_token: Option<String>,
}
