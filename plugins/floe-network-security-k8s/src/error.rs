//! Errors of the network security plugin: which rule or namespace is not allowed, and why.

use floe_core::plugin::{PluginError, PluginErrorKind};

/// A policy that cannot be generated.
#[derive(Debug, thiserror::Error)]
pub enum NetworkSecurityError {
    /// A namespace or rule name is not a DNS-1123 label.
    #[error("{what} {name:?} is not a DNS-1123 label")]
    InvalidName {
        /// What the name is for.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// No namespace is configured, or the platform namespace is not one of them.
    #[error("the platform namespace {namespace} must be one of the configured namespaces")]
    PlatformNamespace {
        /// The platform namespace.
        namespace: String,
    },
    /// A rule names a namespace the platform does not have.
    #[error("{rule} names namespace {namespace}, which is not one of the configured namespaces")]
    UnknownNamespace {
        /// The rule.
        rule: String,
        /// The namespace.
        namespace: String,
    },
    /// Two rules have one name.
    #[error("egress rule {rule} is defined twice")]
    DuplicateRule {
        /// The rule.
        rule: String,
    },
    /// An address block is not `address/prefix`.
    #[error("{rule}: {cidr:?} is not a CIDR block")]
    InvalidCidr {
        /// The rule.
        rule: String,
        /// The block as given.
        cidr: String,
    },
    /// An `except` block is not strictly inside its rule's block (Kubernetes refuses
    /// such a policy).
    #[error("egress rule {rule}: except block {except} is not strictly inside {cidr}")]
    ExceptOutside {
        /// The rule.
        rule: String,
        /// The rule's block.
        cidr: String,
        /// The except block.
        except: String,
    },
    /// An `except` block is of another address family than its rule's block.
    #[error("egress rule {rule}: except block {except} is {except_family} but {cidr} is {family}")]
    ExceptFamily {
        /// The rule.
        rule: String,
        /// The rule's block.
        cidr: String,
        /// Its family (`IPv4`, `IPv6`).
        family: &'static str,
        /// The except block.
        except: String,
        /// Its family.
        except_family: &'static str,
    },
    /// A rule would open every address without saying so.
    #[error(
        "egress rule {rule} opens {cidr} (every address); set allow_any_destination: true if that is meant"
    )]
    AnyDestination {
        /// The rule.
        rule: String,
        /// The block.
        cidr: String,
    },
    /// A port is 0, or a rule has no port.
    #[error("egress rule {rule} needs ports between 1 and 65535")]
    InvalidPort {
        /// The rule.
        rule: String,
    },
    /// A security id is not a positive non-root id.
    #[error("{what} must be a non-root id (1 or more), got {value}")]
    RootId {
        /// `run_as_user`, `run_as_group` or `fs_group`.
        what: &'static str,
        /// The value.
        value: i64,
    },
    /// A generated document could not be turned into JSON.
    #[error("cannot serialize the generated {kind}")]
    Serialize {
        /// The Kubernetes kind.
        kind: &'static str,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
}

impl From<NetworkSecurityError> for PluginError {
    fn from(error: NetworkSecurityError) -> Self {
        PluginError::from_error(crate::PLUGIN, PluginErrorKind::Config, error)
    }
}
