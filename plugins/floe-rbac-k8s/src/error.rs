//! Errors of the RBAC plugin: which account or rule is not allowed, and why.

use floe_core::plugin::{PluginError, PluginErrorKind};

/// RBAC manifests that cannot be generated.
#[derive(Debug, thiserror::Error)]
pub enum RbacError {
    /// A name is not a DNS-1123 label.
    #[error("{what} {name:?} is not a DNS-1123 label")]
    InvalidName {
        /// What the name is for.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// A namespace is listed twice, or a service account twice in one namespace.
    #[error("{what} {name} is defined twice")]
    Duplicate {
        /// What.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// A service account names a namespace that is not configured.
    #[error(
        "service account {account} is in namespace {namespace}, which is not one of the configured namespaces"
    )]
    UnknownNamespace {
        /// `namespace/name`.
        account: String,
        /// The namespace.
        namespace: String,
    },
    /// A rule has no verb or no resource.
    #[error("rule {rule} of {account} needs at least one verb, resource and API group")]
    EmptyRule {
        /// `namespace/name`.
        account: String,
        /// The rule's index in the account's `rules`.
        rule: usize,
    },
    /// A wildcard, without `allow_wildcards`.
    #[error(
        "rule {rule} of {account} uses * in its {field}; least privilege needs explicit {field} (or allow_wildcards: true)"
    )]
    Wildcard {
        /// `namespace/name`.
        account: String,
        /// The rule's index in the account's `rules`.
        rule: usize,
        /// `verbs`, `resources` or `api_groups`.
        field: &'static str,
    },
    /// A verb beyond the standard eight, without `allow_wildcards`.
    #[error(
        "rule {rule} of {account} uses verb {verb}, which grants more than object access (or allow_wildcards: true)"
    )]
    PrivilegedVerb {
        /// `namespace/name`.
        account: String,
        /// The rule's index in the account's `rules`.
        rule: usize,
        /// The verb.
        verb: String,
    },
    /// A rule on Secrets that is not scoped by name, without `allow_wildcards`.
    #[error(
        "rule {rule} of {account} grants secrets without resource names; list them by name in the account's secrets instead"
    )]
    UnscopedSecrets {
        /// `namespace/name`.
        account: String,
        /// The rule's index in the account's `rules`.
        rule: usize,
    },
    /// A grant that lets the holder run code or act as another account of the namespace
    /// (exec into pods, service account tokens, creating workloads), without the rule's
    /// `allow_privileged`.
    #[error(
        "rule {rule} of {account} grants {verb} on {resource}, which lets its holder run code as any account of the namespace; set allow_privileged: true on the rule if that is meant"
    )]
    PrivilegedResource {
        /// `namespace/name`.
        account: String,
        /// The rule's index in the account's `rules`.
        rule: usize,
        /// The resource (`pods/exec`, `deployments`).
        resource: String,
        /// The verb that makes it privileged.
        verb: String,
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

impl From<RbacError> for PluginError {
    fn from(error: RbacError) -> Self {
        PluginError::from_error(crate::PLUGIN, PluginErrorKind::Config, error)
    }
}
