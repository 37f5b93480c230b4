//! Catalogs: Iceberg namespaces and tables.

use std::collections::BTreeMap;

use serde::Serialize;

use super::CategoryError;
use crate::secret::Secret;

/// What a catalog said when connected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CatalogInfo {
    /// The catalog URI, without user info.
    pub uri: String,
    /// The warehouse selected.
    pub warehouse: Option<String>,
}

/// A table's namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TableIdent {
    /// Namespace levels.
    pub namespace: Vec<String>,
    /// Table name.
    pub name: String,
}

/// A table to create.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TableSpec {
    /// The Iceberg schema, as its JSON form.
    pub schema: serde_json::Value,
    /// The partition spec, as its JSON form.
    pub partition_spec: Option<serde_json::Value>,
    /// Table properties.
    pub properties: BTreeMap<String, String>,
}

/// Storage credentials a catalog vended for one table. Never recorded.
#[derive(Clone, Debug, Default)]
pub struct VendedCredentials {
    /// Storage configuration (`s3.access-key-id`, ...), every value secret.
    pub config: BTreeMap<String, Secret<String>>,
}

/// An Iceberg catalog.
pub trait Catalog {
    /// The plugin's error.
    type Error: CategoryError;

    /// Connects (authenticates, reads the catalog config).
    fn connect(&self) -> impl Future<Output = Result<CatalogInfo, Self::Error>> + Send;
    /// Creates a namespace.
    fn create_namespace(
        &self,
        namespace: &[String],
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// Lists namespaces (below `parent`, if given).
    fn list_namespaces(
        &self,
        parent: Option<&[String]>,
    ) -> impl Future<Output = Result<Vec<Vec<String>>, Self::Error>> + Send;
    /// Deletes an empty namespace.
    fn delete_namespace(
        &self,
        namespace: &[String],
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// Creates a table.
    fn create_table(
        &self,
        table: &TableIdent,
        spec: &TableSpec,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// Lists the tables of a namespace.
    fn list_tables(
        &self,
        namespace: &[String],
    ) -> impl Future<Output = Result<Vec<TableIdent>, Self::Error>> + Send;
    /// Drops a table.
    fn drop_table(
        &self,
        table: &TableIdent,
        purge: bool,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// Asks the catalog for storage credentials for a table.
    fn vend_credentials(
        &self,
        table: &TableIdent,
    ) -> impl Future<Output = Result<VendedCredentials, Self::Error>> + Send;
}
