//! The traced operations: each runs inside one `catalog.*` span of the plugin, around the
//! floe-iceberg call that does the REST exchange.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError};

use floe_core::KeyValue;
use floe_core::health::traced_health_async;
use floe_core::plugin::HealthStatus;
use floe_core::plugin::categories::{CatalogInfo, TableIdent, TableSpec, VendedCredentials};
use floe_core::telemetry::{attr, in_span_async};
use floe_iceberg::{CreateTable, IcebergError, Namespace, PartitionSpec, RestCatalog, Schema};

use crate::PolarisPlugin;
use crate::error::PolarisError;
use crate::telemetry::{CATALOG_NAME, CatalogOp, TRACER_NAME};

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn iceberg_table(table: &TableIdent) -> floe_iceberg::TableIdent {
    floe_iceberg::TableIdent::new(Namespace::new(table.namespace.clone()), table.name.clone())
}

fn dotted(levels: &[String]) -> String {
    levels.join(".")
}

impl PolarisPlugin {
    fn attributes(&self, namespace: Option<&[String]>, table: Option<&str>) -> Vec<KeyValue> {
        let mut out = vec![
            KeyValue::new(attr::CATALOG_NAME, CATALOG_NAME),
            KeyValue::new(attr::CATALOG_URI, self.uri().to_owned()),
            KeyValue::new(attr::CATALOG_WAREHOUSE, self.warehouse().to_owned()),
        ];
        if let Some(namespace) = namespace {
            out.push(KeyValue::new(attr::CATALOG_NAMESPACE, dotted(namespace)));
        }
        if let Some(table) = table {
            out.push(KeyValue::new(attr::CATALOG_TABLE, table.to_owned()));
        }
        out
    }

    /// Connects (token, then `GET /v1/config`) and keeps the client.
    async fn connected(&self) -> Result<Arc<RestCatalog>, PolarisError> {
        let existing = self.connected.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if let Some(catalog) = existing {
            return Ok(catalog);
        }
        let catalog = Arc::new(
            self.retrying_auth(|| RestCatalog::connect(self.config.clone())).await.map_err(
                PolarisError::catalog(format!("connect to warehouse {}", self.warehouse())),
            )?,
        );
        *self.connected.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&catalog));
        Ok(catalog)
    }

    /// Runs `call`; after a 401 the cached token is dropped and `call` runs once more
    /// with a new one (a 401 means the catalog did nothing, so this is safe).
    async fn retrying_auth<T, F, Fut>(&self, call: F) -> Result<T, IcebergError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, IcebergError>>,
    {
        match call().await {
            Err(IcebergError::Unauthorized { status: 401, .. }) => {
                self.credentials.invalidate();
                call().await
            }
            other => other,
        }
    }

    /// Runs `call` on the connected client, with the 401 retry.
    async fn on_catalog<T, F, Fut>(&self, action: String, call: F) -> Result<T, PolarisError>
    where
        F: Fn(Arc<RestCatalog>) -> Fut,
        Fut: Future<Output = Result<T, IcebergError>>,
    {
        let catalog = self.connected().await?;
        self.retrying_auth(|| call(Arc::clone(&catalog)))
            .await
            .map_err(PolarisError::catalog(action))
    }

    pub(crate) async fn connect_traced(&self) -> Result<CatalogInfo, PolarisError> {
        in_span_async(TRACER_NAME, CatalogOp::Connect, self.attributes(None, None), |_span| async {
            // A fresh connection, so that `connect` always reads the catalog's config.
            *self.connected.lock().unwrap_or_else(PoisonError::into_inner) = None;
            self.connected().await?;
            Ok(CatalogInfo {
                uri: self.uri().to_owned(),
                warehouse: Some(self.warehouse().to_owned()),
            })
        })
        .await
    }

    pub(crate) async fn namespace_create(&self, namespace: &[String]) -> Result<(), PolarisError> {
        let attributes = self.attributes(Some(namespace), None);
        in_span_async(TRACER_NAME, CatalogOp::CreateNamespace, attributes, |_span| async {
            let ns = Namespace::new(namespace.to_vec());
            let action = format!("create namespace {}", dotted(namespace));
            self.on_catalog(action, |c| {
                let ns = ns.clone();
                async move { c.create_namespace(&ns, BTreeMap::new()).await }
            })
            .await
            .map(drop)
        })
        .await
    }

    pub(crate) async fn namespace_list(
        &self,
        parent: Option<&[String]>,
    ) -> Result<Vec<Vec<String>>, PolarisError> {
        let attributes = self.attributes(parent, None);
        in_span_async(TRACER_NAME, CatalogOp::ListNamespaces, attributes, |_span| async {
            let parent = parent.map(|p| Namespace::new(p.to_vec()));
            let action = match &parent {
                Some(p) => format!("list namespaces under {p}"),
                None => "list namespaces".to_owned(),
            };
            let found = self
                .on_catalog(action, |c| {
                    let parent = parent.clone();
                    async move { c.list_namespaces(parent.as_ref()).await }
                })
                .await?;
            Ok(found.into_iter().map(|ns| ns.levels().to_vec()).collect())
        })
        .await
    }

    pub(crate) async fn namespace_drop(&self, namespace: &[String]) -> Result<(), PolarisError> {
        let attributes = self.attributes(Some(namespace), None);
        in_span_async(TRACER_NAME, CatalogOp::DropNamespace, attributes, |_span| async {
            let ns = Namespace::new(namespace.to_vec());
            let action = format!("drop namespace {}", dotted(namespace));
            self.on_catalog(action, |c| {
                let ns = ns.clone();
                async move { c.drop_namespace(&ns).await }
            })
            .await
        })
        .await
    }

    pub(crate) async fn table_create(
        &self,
        table: &TableIdent,
        spec: &TableSpec,
    ) -> Result<(), PolarisError> {
        let attributes = self.attributes(Some(&table.namespace), Some(&table.name));
        in_span_async(TRACER_NAME, CatalogOp::CreateTable, attributes, |_span| async {
            let ident = iceberg_table(table);
            let invalid = |what: &str, e: &serde_json::Error| PolarisError::TableSpec {
                table: ident.to_string(),
                reason: format!(
                    "{what}: {}",
                    floe_core::telemetry::sanitize_error_message(&e.to_string())
                ),
            };
            let schema: Schema = serde_json::from_value(spec.schema.clone())
                .map_err(|e| invalid("schema is not an Iceberg struct schema", &e))?;
            let partition_spec: Option<PartitionSpec> = spec
                .partition_spec
                .clone()
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| invalid("partition_spec is not an Iceberg partition spec", &e))?;
            let mut request = CreateTable::new(table.name.clone(), schema);
            request.partition_spec = partition_spec;
            request.properties = spec.properties.clone();
            let action = format!("create table {ident}");
            self.on_catalog(action, |c| {
                let (namespace, request) = (ident.namespace.clone(), request.clone());
                async move { c.create_table(&namespace, &request).await }
            })
            .await
            .map(drop)
        })
        .await
    }

    pub(crate) async fn table_list(
        &self,
        namespace: &[String],
    ) -> Result<Vec<TableIdent>, PolarisError> {
        let attributes = self.attributes(Some(namespace), None);
        in_span_async(TRACER_NAME, CatalogOp::ListTables, attributes, |_span| async {
            let ns = Namespace::new(namespace.to_vec());
            let action = format!("list tables of {}", dotted(namespace));
            let found = self
                .on_catalog(action, |c| {
                    let ns = ns.clone();
                    async move { c.list_tables(&ns).await }
                })
                .await?;
            Ok(found
                .into_iter()
                .map(|t| TableIdent { namespace: t.namespace.levels().to_vec(), name: t.name })
                .collect())
        })
        .await
    }

    pub(crate) async fn table_drop(
        &self,
        table: &TableIdent,
        purge: bool,
    ) -> Result<(), PolarisError> {
        let attributes = self.attributes(Some(&table.namespace), Some(&table.name));
        in_span_async(TRACER_NAME, CatalogOp::DropTable, attributes, |_span| async {
            let ident = iceberg_table(table);
            let action = format!("drop table {ident}");
            self.on_catalog(action, |c| {
                let ident = ident.clone();
                async move { c.drop_table(&ident, purge).await }
            })
            .await
        })
        .await
    }

    pub(crate) async fn credentials_for(
        &self,
        table: &TableIdent,
    ) -> Result<VendedCredentials, PolarisError> {
        let attributes = self.attributes(Some(&table.namespace), Some(&table.name));
        in_span_async(TRACER_NAME, CatalogOp::VendCredentials, attributes, |span| async move {
            let ident = iceberg_table(table);
            let action = format!("load table {ident} with vended credentials");
            let loaded = self
                .on_catalog(action, |c| {
                    let ident = ident.clone();
                    async move { c.load_table(&ident).await }
                })
                .await?;
            // `storage-credentials` for the table's location first, then `config`.
            let config = loaded.vended_config();
            span.set_attribute(KeyValue::new(attr::CATALOG_CREDENTIAL_COUNT, count(config.len())));
            if config.is_empty() {
                return Err(PolarisError::NoCredentials { table: ident.to_string() });
            }
            Ok(VendedCredentials { config })
        })
        .await
    }

    /// Authenticates and reads the catalog's config, keeping the client for the next
    /// operations; an `Err` ends the span as an `unhealthy` error.
    pub(crate) async fn health(&self) -> HealthStatus {
        let attributes = self.attributes(None, None);
        traced_health_async(TRACER_NAME, CatalogOp::HealthCheck, attributes, |_span| async {
            let catalog = self
                .retrying_auth(|| RestCatalog::connect(self.config.clone()))
                .await
                .map_err(PolarisError::catalog(format!(
                    "read the config of warehouse {}",
                    self.warehouse()
                )))?;
            *self.connected.lock().unwrap_or_else(PoisonError::into_inner) =
                Some(Arc::new(catalog));
            Ok::<(), PolarisError>(())
        })
        .await
    }
}
