//! Spans emitted by floe-iceberg. Every public operation of [`RestCatalog`] is traced
//! with `#[traced]` and nothing else.
//!
//! ## Spans
//! All of kind `Client`, under the caller's current span, status `Ok` or `Error` with the
//! sanitized error chain (404, 409, 401, 5xx, connection refused, timeout).
//! - `catalog.connect`: `GET /v1/config` when the client connects.
//! - `catalog.create_namespace`, `catalog.list_namespaces`, `catalog.load_namespace`,
//!   `catalog.drop_namespace`.
//! - `catalog.create_table`, `catalog.load_table`, `catalog.list_tables`,
//!   `catalog.drop_table`.
//! - `catalog.commit_table`: one update-table request, schema change or snapshot.
//!   `evolve_schema` and `append_snapshot` only build the request: their span is this one.
//!
//! These are the `catalog.*` spans the telemetry registry declares for `floe.iceberg`;
//! [`CatalogOp`] is generated from it.
//!
//! ## Attributes
//! - `catalog.uri`: the catalog's base URI, scheme, host, port and path only.
//! - `catalog.warehouse`: the configured warehouse, when there is one.
//! - `catalog.namespace`: the namespace operated on, levels joined by `.`.
//! - `catalog.table`: the table operated on.
//!
//! ## Never recorded
//! - The bearer token or anything a `TokenProvider` returns, request headers, user info or
//!   query strings of URIs, request and response bodies, table properties.
//!
//! [`RestCatalog`]: crate::RestCatalog

/// The catalog operations, generated from the telemetry registry (`catalog.yaml`).
pub use floe_core::telemetry::ops::CatalogOp;

/// The tracer of every floe-iceberg span.
pub const TRACER_NAME: &str = "floe.iceberg";
