//! Kubernetes network security and RBAC manifests.

use serde::Serialize;

use super::CategoryError;

/// Kubernetes documents, as their JSON form.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GeneratedManifests {
    /// One entry per document.
    pub documents: Vec<serde_json::Value>,
}

/// Pod Security Standards levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[expect(missing_docs, reason = "the variants are the standard's level names")]
pub enum PodSecurityLevel {
    Privileged,
    Baseline,
    Restricted,
}

/// Generates network policies and pod security settings.
pub trait NetworkSecurity {
    /// The plugin's error.
    type Error: CategoryError;

    /// Every network policy of the platform (default deny first).
    ///
    /// # Errors
    /// When a rule is not allowed.
    fn network_policies(&self) -> Result<GeneratedManifests, Self::Error>;
    /// Pod Security Standards labels for a namespace.
    fn pss_labels(&self, level: PodSecurityLevel) -> std::collections::BTreeMap<String, String>;
    /// The pod security context.
    fn pod_security_context(&self) -> serde_json::Value;
    /// The container security context.
    fn container_security_context(&self) -> serde_json::Value;
}

/// Generates RBAC manifests.
pub trait Rbac {
    /// The plugin's error.
    type Error: CategoryError;

    /// Namespaces, service accounts, roles and role bindings of the platform.
    ///
    /// # Errors
    /// When a requested rule is not allowed.
    fn rbac_manifests(&self) -> Result<GeneratedManifests, Self::Error>;
    /// The pod security context.
    fn pod_security_context(&self) -> serde_json::Value;
}
