//! Spans emitted by the Kubernetes network security plugin.
//!
//! ## Spans
//! - `security.generate_network_policies` (internal): every `NetworkPolicy` of the platform;
//!   a rule that is not allowed ends it as an error.
//! - `security.generate_pss_labels` (internal): Pod Security Standards namespace labels.
//! - `security.generate_security_context` (internal): a pod or container security context.
//!
//! ## Attributes
//! - `security.policy_type` (`network_policy`, `pss_labels`, `security_context`),
//!   `security.resource_count` (documents, labels or contexts actually generated; 0 when
//!   generation fails), `security.namespace_count`, `security.pss_level`.
//!
//! ## Never recorded
//! - Nothing this plugin handles is secret; CIDRs and rule names stay off spans anyway
//!   (they describe the network, and the span only needs counts).

pub use floe_core::telemetry::ops::SecurityOp;

/// The tracer of this plugin.
pub const TRACER_NAME: &str = "floe.security.network";
