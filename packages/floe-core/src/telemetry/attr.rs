//! Attribute keys recorded on floe spans.
//!
//! Every key a span carries is a constant here; instrumented code never writes a key
//! string inline.

use opentelemetry::Key;

/// `floe.namespace`: the data namespace of the platform.
pub const FLOE_NAMESPACE: Key = Key::from_static_str("floe.namespace");
/// `floe.product.name`: the data product.
pub const FLOE_PRODUCT_NAME: Key = Key::from_static_str("floe.product.name");
/// `floe.product.version`: the data product's version.
pub const FLOE_PRODUCT_VERSION: Key = Key::from_static_str("floe.product.version");
/// `floe.mode`: the platform mode (`dev`, `prod`, ...).
pub const FLOE_MODE: Key = Key::from_static_str("floe.mode");
/// `floe.cancelled`: the operation's future was dropped before it completed.
pub const FLOE_CANCELLED: Key = Key::from_static_str("floe.cancelled");
/// `floe.instrumentation.error`: why the instrumentation could not record what it was asked
/// to (an `attributes_fn` that failed or panicked); always sanitized. The operation ran.
pub const FLOE_INSTRUMENTATION_ERROR: Key = Key::from_static_str("floe.instrumentation.error");

/// `error.type`: the type of the error that ended the span.
pub const ERROR_TYPE: Key = Key::from_static_str("error.type");
/// Name of the event that records a failure.
pub const EXCEPTION_EVENT: &str = "exception";
/// `exception.type`, on the exception event.
pub const EXCEPTION_TYPE: Key = Key::from_static_str("exception.type");
/// `exception.message`, on the exception event; always sanitized.
pub const EXCEPTION_MESSAGE: Key = Key::from_static_str("exception.message");

/// `catalog.uri`: the Iceberg REST catalog's base URI, without user info or query.
pub const CATALOG_URI: Key = Key::from_static_str("catalog.uri");
/// `catalog.warehouse`: the warehouse the catalog client was configured with.
pub const CATALOG_WAREHOUSE: Key = Key::from_static_str("catalog.warehouse");
/// `catalog.namespace`: the namespace an operation works on, its levels joined by `.`.
pub const CATALOG_NAMESPACE: Key = Key::from_static_str("catalog.namespace");
/// `catalog.table`: the table an operation works on (its name within the namespace).
pub const CATALOG_TABLE: Key = Key::from_static_str("catalog.table");
