//! Kubernetes network security and RBAC manifests.

use serde::Serialize;

use super::CategoryError;

/// Kubernetes documents, as their JSON form.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GeneratedManifests {
    /// One entry per document.
    pub documents: Vec<serde_json::Value>,
}

impl GeneratedManifests {
    /// The documents as one multi-document YAML stream (`kubectl apply -f` reads it).
    ///
    /// # Errors
    /// When a document cannot be written as YAML.
    ///
    /// # Examples
    /// ```
    /// use floe_core::plugin::categories::GeneratedManifests;
    ///
    /// let manifests = GeneratedManifests {
    ///     documents: vec![
    ///         serde_json::json!({ "kind": "Namespace", "metadata": { "name": "a" } }),
    ///         serde_json::json!({ "kind": "Namespace", "metadata": { "name": "b" } }),
    ///     ],
    /// };
    /// let yaml = manifests.to_yaml().unwrap();
    /// let back: Vec<serde_json::Value> = serde_saphyr::from_multiple(&yaml).unwrap();
    /// assert_eq!(back, manifests.documents);
    /// ```
    pub fn to_yaml(&self) -> Result<String, serde_saphyr::SerializeError> {
        let mut out = String::new();
        for document in &self.documents {
            out.push_str("---\n");
            out.push_str(&serde_saphyr::to_string(document)?);
            if !out.ends_with('\n') {
                out.push('\n');
            }
        }
        Ok(out)
    }
}

/// Pod Security Standards levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[expect(missing_docs, reason = "the variants are the standard's level names")]
pub enum PodSecurityLevel {
    Privileged,
    Baseline,
    Restricted,
}

impl PodSecurityLevel {
    /// The level's name in Pod Security Admission labels.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Privileged => "privileged",
            Self::Baseline => "baseline",
            Self::Restricted => "restricted",
        }
    }

    /// The Pod Security Admission labels of a namespace that enforces, audits and warns
    /// at this level, against the latest version of the standard.
    ///
    /// # Examples
    /// ```
    /// use floe_core::plugin::categories::PodSecurityLevel;
    ///
    /// let labels = PodSecurityLevel::Restricted.namespace_labels();
    /// assert_eq!(labels["pod-security.kubernetes.io/enforce"], "restricted");
    /// assert_eq!(labels.len(), 6);
    /// ```
    pub fn namespace_labels(self) -> std::collections::BTreeMap<String, String> {
        ["enforce", "audit", "warn"]
            .into_iter()
            .flat_map(|mode| {
                [
                    (format!("pod-security.kubernetes.io/{mode}"), self.as_str().to_owned()),
                    (format!("pod-security.kubernetes.io/{mode}-version"), "latest".to_owned()),
                ]
            })
            .collect()
    }
}

/// Whether `name` is a DNS-1123 label: the rule for Kubernetes namespace, service
/// account and most object names (lower-case letters, digits and `-`, at most 63
/// characters, starting and ending with a letter or digit).
///
/// # Examples
/// ```
/// use floe_core::plugin::categories::is_dns1123_label;
/// assert!(is_dns1123_label("floe-jobs"));
/// assert!(!is_dns1123_label("Floe_Jobs"));
/// assert!(!is_dns1123_label("-jobs"));
/// ```
pub fn is_dns1123_label(name: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| alnum(c) || c == '-')
        && name.starts_with(alnum)
        && name.ends_with(alnum)
}

/// A pod security context that passes the Pod Security Standards' restricted level:
/// non-root with the given user, group and file-system group, and the runtime's default
/// seccomp profile (Kubernetes `PodSecurityContext`, as JSON).
///
/// # Examples
/// ```
/// let context = floe_core::plugin::categories::restricted_pod_security_context(1000, 1000, 1000);
/// assert_eq!(context["runAsNonRoot"], true);
/// assert_eq!(context["seccompProfile"]["type"], "RuntimeDefault");
/// ```
pub fn restricted_pod_security_context(user: i64, group: i64, fs_group: i64) -> serde_json::Value {
    serde_json::json!({
        "runAsNonRoot": true,
        "runAsUser": user,
        "runAsGroup": group,
        "fsGroup": fs_group,
        "seccompProfile": { "type": "RuntimeDefault" },
    })
}

/// A container security context that passes the restricted level: no privilege
/// escalation, every capability dropped, non-root, a read-only root file system and the
/// default seccomp profile (Kubernetes `SecurityContext`, as JSON).
pub fn restricted_container_security_context() -> serde_json::Value {
    serde_json::json!({
        "allowPrivilegeEscalation": false,
        "capabilities": { "drop": ["ALL"] },
        "privileged": false,
        "readOnlyRootFilesystem": true,
        "runAsNonRoot": true,
        "seccompProfile": { "type": "RuntimeDefault" },
    })
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
