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

/// `floe.compile.manifest`: the manifest file name being compiled.
pub const FLOE_COMPILE_MANIFEST: Key = Key::from_static_str("floe.compile.manifest");
/// `floe.plugin.count`: how many plugins a compilation resolved.
pub const FLOE_PLUGIN_COUNT: Key = Key::from_static_str("floe.plugin.count");
/// `floe.plugin`: a plugin as `category/name`.
pub const FLOE_PLUGIN: Key = Key::from_static_str("floe.plugin");
/// `floe.audit.rule`: the rule id of an audit finding.
pub const FLOE_AUDIT_RULE: Key = Key::from_static_str("floe.audit.rule");
/// `floe.audit.warning`: whether an audit finding is a warning.
pub const FLOE_AUDIT_WARNING: Key = Key::from_static_str("floe.audit.warning");
/// `floe.audit.warnings`: how many warnings the audit found.
pub const FLOE_AUDIT_WARNINGS: Key = Key::from_static_str("floe.audit.warnings");

/// `error.type`: the type of the error that ended the span.
pub const ERROR_TYPE: Key = Key::from_static_str("error.type");
/// Name of the event that records a failure.
pub const EXCEPTION_EVENT: &str = "exception";
/// `exception.type`, on the exception event.
pub const EXCEPTION_TYPE: Key = Key::from_static_str("exception.type");
/// `exception.message`, on the exception event; always sanitized.
pub const EXCEPTION_MESSAGE: Key = Key::from_static_str("exception.message");
