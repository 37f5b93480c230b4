//! `RestCatalog`: namespaces, tables and commits over the Iceberg REST catalog protocol.
//!
//! Every public operation is traced with `#[traced]` and nothing else: the spans,
//! their attributes and their statuses are described in [`crate::telemetry`].

use std::collections::BTreeMap;

use floe_core::http::{Peer, PeerAnswer};
use floe_core::telemetry::attr;
use floe_core::traced;
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::CatalogConfig;
use crate::error::{ConflictMeaning, IcebergError};
use crate::http::{decode, endpoint, peer, send};
use crate::model::{
    CatalogConfigResponse, CreateTable, ListNamespacesPage, ListTablesPage, LoadedTable, Namespace,
    NamespaceInfo, RefKind, Schema, Snapshot, TableCommit, TableIdent, TableMetadata,
    TableRequirement, TableUpdate,
};
use crate::telemetry::{CatalogOp, TRACER_NAME};

/// The most pages a list operation follows; a catalog that pages forever is cut off.
const MAX_PAGES: usize = 1000;

/// A client of one Iceberg REST catalog (one warehouse, one prefix).
#[derive(Clone, Debug)]
pub struct RestCatalog {
    peer: Peer,
    config: CatalogConfig,
    server_config: CatalogConfigResponse,
    prefix: Option<String>,
}

/// The body of an update-table request.
#[derive(Serialize)]
struct CommitRequest<'a> {
    identifier: &'a TableIdent,
    #[serde(flatten)]
    commit: &'a TableCommit,
}

impl RestCatalog {
    /// Connects: checks the URI's transport (`https`, plain `http` to loopback, or plain
    /// `http` with `allow_insecure_http`), reads `GET /v1/config` (with the warehouse) and
    /// settles the path prefix: the catalog's `overrides.prefix`, else the configured
    /// prefix, else its `defaults.prefix`, else none.
    ///
    /// # Errors
    /// [`IcebergError::Endpoint`] for a URI the token must not go to; any
    /// [`IcebergError`] of the config request.
    #[traced(
        op = CatalogOp::Connect,
        attributes(
            attr::CATALOG_URI = config.redacted_uri(),
            attr::CATALOG_WAREHOUSE = config.warehouse(),
        ),
    )]
    pub async fn connect(config: CatalogConfig) -> Result<Self, IcebergError> {
        let peer = peer(&config)?;
        let mut url = endpoint(&config, None, &["config"]);
        if let Some(warehouse) = &config.warehouse {
            url.query_pairs_mut().append_pair("warehouse", warehouse);
        }
        let answer =
            send(&peer, &config, Method::GET, url, None::<&()>, ConflictMeaning::AlreadyExists)
                .await?;
        let server_config: CatalogConfigResponse = decode(&answer)?;
        let prefix = server_config
            .overrides
            .get("prefix")
            .or(config.prefix.as_ref())
            .or_else(|| server_config.defaults.get("prefix"))
            .cloned();
        Ok(Self { peer, config, server_config, prefix })
    }

    /// What `GET /v1/config` answered.
    pub fn server_config(&self) -> &CatalogConfigResponse {
        &self.server_config
    }

    /// The path prefix in use.
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }

    /// The catalog URI as spans record it.
    pub fn uri(&self) -> &str {
        self.config.redacted_uri()
    }

    /// The configured warehouse.
    pub fn warehouse(&self) -> Option<&str> {
        self.config.warehouse()
    }

    /// Creates `namespace` with `properties`.
    ///
    /// # Errors
    /// [`IcebergError::AlreadyExists`] when it exists; any other [`IcebergError`].
    #[traced(
        op = CatalogOp::CreateNamespace,
        attributes(
            attr::CATALOG_URI = self.uri(),
            attr::CATALOG_WAREHOUSE = self.warehouse(),
            attr::CATALOG_NAMESPACE = namespace.to_string(),
        ),
    )]
    pub async fn create_namespace(
        &self,
        namespace: &Namespace,
        properties: BTreeMap<String, String>,
    ) -> Result<NamespaceInfo, IcebergError> {
        let body = NamespaceInfo { namespace: namespace.clone(), properties };
        self.json(Method::POST, self.url(&["namespaces"]), Some(&body)).await
    }

    /// Lists the namespaces under `parent` (top-level ones for `None`), every page.
    ///
    /// # Errors
    /// [`IcebergError::NotFound`] when `parent` does not exist; any other [`IcebergError`].
    #[traced(
        op = CatalogOp::ListNamespaces,
        attributes(
            attr::CATALOG_URI = self.uri(),
            attr::CATALOG_WAREHOUSE = self.warehouse(),
            attr::CATALOG_NAMESPACE = parent.map(ToString::to_string),
        ),
    )]
    pub async fn list_namespaces(
        &self,
        parent: Option<&Namespace>,
    ) -> Result<Vec<Namespace>, IcebergError> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = self.url(&["namespaces"]);
            if let Some(parent) = parent {
                url.query_pairs_mut().append_pair("parent", &parent.to_path_segment());
            }
            if let Some(token) = &token {
                url.query_pairs_mut().append_pair("pageToken", token);
            }
            let page: ListNamespacesPage = self.json(Method::GET, url, None::<&()>).await?;
            all.extend(page.namespaces);
            token = page.next_page_token.filter(|t| !t.is_empty());
            if token.is_none() {
                break;
            }
        }
        Ok(all)
    }

    /// Loads `namespace` and its properties.
    ///
    /// # Errors
    /// [`IcebergError::NotFound`] when it does not exist; any other [`IcebergError`].
    #[traced(
        op = CatalogOp::LoadNamespace,
        attributes(
            attr::CATALOG_URI = self.uri(),
            attr::CATALOG_WAREHOUSE = self.warehouse(),
            attr::CATALOG_NAMESPACE = namespace.to_string(),
        ),
    )]
    pub async fn load_namespace(
        &self,
        namespace: &Namespace,
    ) -> Result<NamespaceInfo, IcebergError> {
        let url = self.url(&["namespaces", &namespace.to_path_segment()]);
        self.json(Method::GET, url, None::<&()>).await
    }

    /// Drops `namespace`, which must be empty.
    ///
    /// # Errors
    /// [`IcebergError::NotFound`] when it does not exist, [`IcebergError::NotEmpty`] when
    /// it holds tables or namespaces; any other [`IcebergError`].
    #[traced(
        op = CatalogOp::DropNamespace,
        attributes(
            attr::CATALOG_URI = self.uri(),
            attr::CATALOG_WAREHOUSE = self.warehouse(),
            attr::CATALOG_NAMESPACE = namespace.to_string(),
        ),
    )]
    pub async fn drop_namespace(&self, namespace: &Namespace) -> Result<(), IcebergError> {
        let url = self.url(&["namespaces", &namespace.to_path_segment()]);
        self.send(Method::DELETE, url, None::<&()>, ConflictMeaning::NotEmpty).await?;
        Ok(())
    }

    /// Creates a table in `namespace` with the schema and partition spec of `table`.
    ///
    /// # Errors
    /// [`IcebergError::AlreadyExists`] when it exists, [`IcebergError::NotFound`] when the
    /// namespace does not; any other [`IcebergError`].
    #[traced(
        op = CatalogOp::CreateTable,
        attributes(
            attr::CATALOG_URI = self.uri(),
            attr::CATALOG_WAREHOUSE = self.warehouse(),
            attr::CATALOG_NAMESPACE = namespace.to_string(),
            attr::CATALOG_TABLE = table.name.as_str(),
        ),
    )]
    pub async fn create_table(
        &self,
        namespace: &Namespace,
        table: &CreateTable,
    ) -> Result<LoadedTable, IcebergError> {
        let url = self.url(&["namespaces", &namespace.to_path_segment(), "tables"]);
        self.json(Method::POST, url, Some(table)).await
    }

    /// Loads `table`'s metadata.
    ///
    /// # Errors
    /// [`IcebergError::NotFound`] when it does not exist; any other [`IcebergError`].
    #[traced(
        op = CatalogOp::LoadTable,
        attributes(
            attr::CATALOG_URI = self.uri(),
            attr::CATALOG_WAREHOUSE = self.warehouse(),
            attr::CATALOG_NAMESPACE = table.namespace.to_string(),
            attr::CATALOG_TABLE = table.name.as_str(),
        ),
    )]
    pub async fn load_table(&self, table: &TableIdent) -> Result<LoadedTable, IcebergError> {
        self.json(Method::GET, self.table_url(table), None::<&()>).await
    }

    /// Lists the tables of `namespace`, every page.
    ///
    /// # Errors
    /// [`IcebergError::NotFound`] when the namespace does not exist; any other
    /// [`IcebergError`].
    #[traced(
        op = CatalogOp::ListTables,
        attributes(
            attr::CATALOG_URI = self.uri(),
            attr::CATALOG_WAREHOUSE = self.warehouse(),
            attr::CATALOG_NAMESPACE = namespace.to_string(),
        ),
    )]
    pub async fn list_tables(
        &self,
        namespace: &Namespace,
    ) -> Result<Vec<TableIdent>, IcebergError> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = self.url(&["namespaces", &namespace.to_path_segment(), "tables"]);
            if let Some(token) = &token {
                url.query_pairs_mut().append_pair("pageToken", token);
            }
            let page: ListTablesPage = self.json(Method::GET, url, None::<&()>).await?;
            all.extend(page.identifiers);
            token = page.next_page_token.filter(|t| !t.is_empty());
            if token.is_none() {
                break;
            }
        }
        Ok(all)
    }

    /// Drops `table`; with `purge`, the catalog also deletes its data and metadata files.
    ///
    /// # Errors
    /// [`IcebergError::NotFound`] when it does not exist; any other [`IcebergError`].
    #[traced(
        op = CatalogOp::DropTable,
        attributes(
            attr::CATALOG_URI = self.uri(),
            attr::CATALOG_WAREHOUSE = self.warehouse(),
            attr::CATALOG_NAMESPACE = table.namespace.to_string(),
            attr::CATALOG_TABLE = table.name.as_str(),
        ),
    )]
    pub async fn drop_table(&self, table: &TableIdent, purge: bool) -> Result<(), IcebergError> {
        let mut url = self.table_url(table);
        url.query_pairs_mut().append_pair("purgeRequested", if purge { "true" } else { "false" });
        self.send(Method::DELETE, url, None::<&()>, ConflictMeaning::AlreadyExists).await?;
        Ok(())
    }

    /// Commits `commit` to `table`: the catalog checks every requirement, then applies
    /// every update, atomically.
    ///
    /// # Errors
    /// [`IcebergError::CommitConflict`] when a requirement no longer holds (409);
    /// [`IcebergError::NotFound`] when the table does not exist; any other
    /// [`IcebergError`].
    #[traced(
        op = CatalogOp::CommitTable,
        attributes(
            attr::CATALOG_URI = self.uri(),
            attr::CATALOG_WAREHOUSE = self.warehouse(),
            attr::CATALOG_NAMESPACE = table.namespace.to_string(),
            attr::CATALOG_TABLE = table.name.as_str(),
        ),
    )]
    pub async fn commit_table(
        &self,
        table: &TableIdent,
        commit: &TableCommit,
    ) -> Result<LoadedTable, IcebergError> {
        let name = table.to_string();
        let request = CommitRequest { identifier: table, commit };
        let conflict = ConflictMeaning::CommitConflict { table: &name };
        let answer =
            self.send(Method::POST, self.table_url(table), Some(&request), conflict).await?;
        decode(&answer)
    }

    /// Adds `schema` and makes it current, provided the table's current schema is still
    /// the one of `base` (the metadata the change was made on). A schema without an id
    /// gets the next free one of `base`.
    ///
    /// Traced as the one `catalog.commit_table` span of its request.
    ///
    /// # Errors
    /// As [`commit_table`](Self::commit_table): a [`IcebergError::CommitConflict`] when
    /// the schema changed since `base` was loaded.
    pub async fn evolve_schema(
        &self,
        table: &TableIdent,
        base: &TableMetadata,
        mut schema: Schema,
    ) -> Result<LoadedTable, IcebergError> {
        if schema.schema_id.is_none() {
            let highest = base.schemas.iter().filter_map(|s| s.schema_id).max().unwrap_or(-1);
            schema.schema_id = Some(highest + 1);
        }
        let last_column_id = Some(schema.highest_field_id().max(base.last_column_id));
        let commit = TableCommit::new()
            .require(TableRequirement::AssertCurrentSchemaId {
                current_schema_id: base.current_schema_id,
            })
            .update(TableUpdate::AddSchema { schema, last_column_id })
            .update(TableUpdate::SetCurrentSchema { schema_id: -1 });
        self.commit_table(table, &commit).await
    }

    /// Adds `snapshot` and points `branch` at it, provided `branch` still points at
    /// `expected_parent` (`None`: the branch must not exist yet).
    ///
    /// Traced as the one `catalog.commit_table` span of its request.
    ///
    /// # Errors
    /// As [`commit_table`](Self::commit_table).
    pub async fn append_snapshot(
        &self,
        table: &TableIdent,
        branch: &str,
        expected_parent: Option<i64>,
        snapshot: Snapshot,
    ) -> Result<LoadedTable, IcebergError> {
        let snapshot_id = snapshot.snapshot_id;
        let commit = TableCommit::new()
            .require(TableRequirement::AssertRefSnapshotId {
                reference: branch.to_owned(),
                snapshot_id: expected_parent,
            })
            .update(TableUpdate::AddSnapshot { snapshot })
            .update(TableUpdate::SetSnapshotRef {
                ref_name: branch.to_owned(),
                kind: RefKind::Branch,
                snapshot_id,
            });
        self.commit_table(table, &commit).await
    }

    fn url(&self, segments: &[&str]) -> Url {
        endpoint(&self.config, self.prefix.as_deref(), segments)
    }

    fn table_url(&self, table: &TableIdent) -> Url {
        self.url(&["namespaces", &table.namespace.to_path_segment(), "tables", &table.name])
    }

    async fn json<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
    ) -> Result<T, IcebergError> {
        let answer = self.send(method, url, body, ConflictMeaning::AlreadyExists).await?;
        decode(&answer)
    }

    async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
        conflict: ConflictMeaning<'_>,
    ) -> Result<PeerAnswer, IcebergError> {
        send(&self.peer, &self.config, method, url, body, conflict).await
    }
}
