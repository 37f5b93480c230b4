//! Configuration of the RBAC plugin.

use floe_core::plugin::categories::PodSecurityLevel;
use serde::Deserialize;

/// `plugins.rbac.config` for `type: k8s`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RbacConfig {
    /// The platform's namespaces.
    pub namespaces: Vec<NamespaceSpec>,
    /// The service accounts of the platform's workloads, each with its own role.
    #[serde(default)]
    pub service_accounts: Vec<ServiceAccountSpec>,
    /// Allow `*` in verbs, resources or API groups, verbs beyond the standard eight, rules
    /// on `secrets` not scoped by name, and every grant `RuleSpec::allow_privileged`
    /// would have to allow: this lifts every least-privilege check. Off: roles stay
    /// least-privilege.
    #[serde(default)]
    pub allow_wildcards: bool,
    /// The user pods run as.
    #[serde(default = "default_id")]
    pub run_as_user: i64,
    /// The group pods run as.
    #[serde(default = "default_id")]
    pub run_as_group: i64,
    /// The group owning mounted volumes.
    #[serde(default = "default_id")]
    pub fs_group: i64,
}

/// A namespace and the Pod Security Standards level it enforces.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamespaceSpec {
    /// A DNS-1123 label.
    pub name: String,
    /// The enforced level (default `restricted`).
    #[serde(default = "restricted")]
    pub pss_level: PodSecurityLevel,
}

/// A service account, its role's rules and the Secrets it may read.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceAccountSpec {
    /// A DNS-1123 label.
    pub name: String,
    /// One of the configured namespaces.
    pub namespace: String,
    /// Mount the account's API token into pods (default: no).
    #[serde(default)]
    pub automount_token: bool,
    /// The role's rules.
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    /// Secrets the account may `get`, by name (nothing else about Secrets).
    #[serde(default)]
    pub secrets: Vec<String>,
}

/// One rule of a role.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// API groups (`""` for the core group).
    pub api_groups: Vec<String>,
    /// Resources (`pods`, `pods/log`, `jobs`).
    pub resources: Vec<String>,
    /// Verbs.
    pub verbs: Vec<String>,
    /// Restrict the rule to these object names.
    #[serde(default)]
    pub resource_names: Vec<String>,
    /// Allow this rule to grant what lets its holder run code or act as another account
    /// of the namespace: any verb on `pods/exec`, `pods/attach`, `pods/portforward`,
    /// `pods/proxy`, `pods/ephemeralcontainers`, `services/proxy` or
    /// `serviceaccounts/token`, and `create`, `update` or `patch` on pods and on the
    /// workloads that make them (replication controllers; deployments, replica sets,
    /// stateful sets and daemon sets; jobs and cron jobs). Off: such a rule is refused.
    #[serde(default)]
    pub allow_privileged: bool,
}

const fn restricted() -> PodSecurityLevel {
    PodSecurityLevel::Restricted
}

const fn default_id() -> i64 {
    1000
}

/// The JSON schema of [`RbacConfig`].
pub fn schema() -> serde_json::Value {
    let strings = serde_json::json!({ "type": "array", "items": { "type": "string" } });
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["namespaces"],
        "properties": {
            "namespaces": { "type": "array", "minItems": 1, "items": {
                "type": "object", "additionalProperties": false, "required": ["name"],
                "properties": {
                    "name": { "type": "string" },
                    "pss_level": { "enum": ["privileged", "baseline", "restricted"], "default": "restricted" }
                }
            }},
            "service_accounts": { "type": "array", "items": {
                "type": "object", "additionalProperties": false, "required": ["name", "namespace"],
                "properties": {
                    "name": { "type": "string" },
                    "namespace": { "type": "string" },
                    "automount_token": { "type": "boolean", "default": false },
                    "secrets": strings,
                    "rules": { "type": "array", "items": {
                        "type": "object", "additionalProperties": false,
                        "required": ["api_groups", "resources", "verbs"],
                        "properties": {
                            "api_groups": strings, "resources": strings, "verbs": strings,
                            "resource_names": strings,
                            "allow_privileged": { "type": "boolean", "default": false }
                        }
                    }}
                }
            }},
            "allow_wildcards": { "type": "boolean", "default": false },
            "run_as_user": { "type": "integer", "minimum": 1, "default": 1000 },
            "run_as_group": { "type": "integer", "minimum": 1, "default": 1000 },
            "fs_group": { "type": "integer", "minimum": 1, "default": 1000 }
        }
    })
}
