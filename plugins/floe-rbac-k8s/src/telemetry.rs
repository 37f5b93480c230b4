//! Spans emitted by the Kubernetes RBAC plugin.
//!
//! ## Spans
//! - `security.generate_rbac` (internal): namespaces (with Pod Security Standards labels),
//!   service accounts, roles and role bindings; a wildcard or privileged rule that was not
//!   allowed ends it as an error.
//! - `security.generate_security_context` (internal): the pod security context of the
//!   platform's workloads.
//!
//! ## Attributes
//! - `security.policy_type` (`rbac`, `security_context`), `security.resource_count`
//!   (documents actually generated; 0 when generation fails), `security.namespace_count`.
//!
//! ## Never recorded
//! - Nothing this plugin handles is secret; the names of the Secrets a role may read stay
//!   off spans anyway (the span only needs counts).

pub use floe_core::telemetry::ops::SecurityOp;

/// The tracer of this plugin.
pub const TRACER_NAME: &str = "floe.security.rbac";
