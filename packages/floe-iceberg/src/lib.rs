//! floe-iceberg: Iceberg table management over the Iceberg REST catalog protocol.
//!
//! [`RestCatalog`] reads the catalog's configuration (`GET /v1/config`, honouring its
//! `prefix` override), manages namespaces and tables, and commits schema changes and
//! snapshots through update-table requests with their requirements. Every request carries
//! the token of a [`TokenProvider`] (a fixed bearer token, or a provider such as an `OAuth2`
//! client-credentials flow), the configured extra headers, and a timeout. Failures are
//! [`IcebergError`]s mapped from the catalog's error model.
//!
//! Every public operation is traced with `#[traced]` only; [`telemetry`] lists the spans
//! and what they never record.
//!
//! ```no_run
//! use floe_iceberg::{CatalogConfig, Namespace, RestCatalog, TableIdent};
//!
//! # async fn demo() -> Result<(), floe_iceberg::IcebergError> {
//! let config = CatalogConfig::new("http://127.0.0.1:8181")?
//!     .with_warehouse("lake")
//!     .with_prefix("dev")
//!     .with_token("lakana_pat_...");
//! let catalog = RestCatalog::connect(config).await?;
//! let orders = catalog.load_table(&TableIdent::new(Namespace::single("bronze"), "orders")).await?;
//! println!("schema {}", orders.metadata.current_schema_id);
//! # Ok(()) }
//! ```

mod client;
mod config;
mod error;
mod http;
mod model;
pub mod telemetry;

pub use client::RestCatalog;
pub use config::{CatalogConfig, DEFAULT_TIMEOUT, NoAuth, StaticToken, TokenFuture, TokenProvider};
pub use error::IcebergError;
pub use model::{
    CatalogConfigResponse, CreateTable, LoadedTable, Namespace, NamespaceInfo, NestedField,
    PartitionField, PartitionSpec, RefKind, Schema, Snapshot, SnapshotRef, StorageCredential,
    TableCommit, TableIdent, TableMetadata, TableRequirement, TableUpdate,
};
