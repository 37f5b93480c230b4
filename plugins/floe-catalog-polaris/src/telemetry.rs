//! Spans emitted by the Polaris catalog plugin.
//!
//! ## Spans
//! All of kind `Client`. Each operation's span has the floe-iceberg span of the REST call
//! it makes (tracer `floe.iceberg`) as its child; a failure ends both as errors.
//! - `catalog.connect`: authenticate and read `GET /v1/config` for the warehouse.
//! - `catalog.create_namespace`, `catalog.list_namespaces`, `catalog.drop_namespace`.
//! - `catalog.create_table`, `catalog.list_tables`, `catalog.drop_table`.
//! - `catalog.vend_credentials`: a table load with `X-Iceberg-Access-Delegation:
//!   vended-credentials`; a load that vends nothing ends as an error.
//! - `catalog.health_check`: the config request; an unhealthy catalog ends as an error.
//! - `catalog.fetch_token`: an `OAuth2` client-credentials request, child of the REST call
//!   that needed a token; absent while the cached token is valid.
//!
//! ## Attributes
//! - `catalog.name` = `polaris`, `catalog.uri` (scheme, host, port and path only),
//!   `catalog.warehouse`, `catalog.namespace`, `catalog.table`, `catalog.credential_count`;
//!   on `catalog.fetch_token`: `server.address` (host only) and `http.response.status_code`.
//!
//! ## Never recorded
//! - The client secret, the client id, access tokens, vended storage credentials (keys or
//!   values), the token endpoint's error description (servers echo credentials there).

pub use floe_core::telemetry::ops::CatalogOp;

/// The tracer of this plugin.
pub const TRACER_NAME: &str = "floe.catalog.polaris";

/// The value of `catalog.name`.
pub const CATALOG_NAME: &str = "polaris";
