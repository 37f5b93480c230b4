//! Configuration of the network security plugin.

use floe_core::plugin::categories::PodSecurityLevel;
use serde::Deserialize;

/// `plugins.network_security.config` for `type: k8s`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSecurityConfig {
    /// Every namespace the platform runs in; each gets a default-deny policy.
    pub namespaces: Vec<String>,
    /// The namespace of the platform services (must be one of `namespaces`).
    pub platform_namespace: String,
    /// Allow DNS (UDP and TCP 53) to kube-dns in `kube-system`.
    #[serde(default = "yes")]
    pub allow_dns: bool,
    /// Allow egress to the Kubernetes API server.
    #[serde(default)]
    pub kubernetes_api: Option<KubernetesApi>,
    /// Namespaces allowed HTTPS (TCP 443) egress to public addresses (private,
    /// link-local, unique-local, IPv4-mapped and NAT64 ranges, and so the cloud metadata
    /// addresses, stay closed).
    #[serde(default)]
    pub https_egress: Vec<String>,
    /// Open HTTPS egress to public IPv6 addresses beside IPv4 (`::/0` without the ranges
    /// above). On by default: public addresses are IPv6 too on a dual-stack or IPv6
    /// cluster, and the block is inert on an IPv4-only one.
    #[serde(default = "yes")]
    pub https_egress_ipv6: bool,
    /// Further egress rules.
    #[serde(default)]
    pub egress_rules: Vec<EgressRule>,
    /// The Pod Security Standards level of the namespaces.
    #[serde(default = "restricted")]
    pub pss_level: PodSecurityLevel,
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

/// Where the Kubernetes API server is, and who may call it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubernetesApi {
    /// The API server's address block (`10.96.0.1/32`, or the control plane's).
    pub cidr: String,
    /// Its port (443 for the `kubernetes` service, 6443 on many control planes).
    #[serde(default = "https_port")]
    pub port: u16,
    /// The namespaces allowed to call it (default: the platform namespace).
    #[serde(default)]
    pub namespaces: Vec<String>,
}

/// An egress rule: pods of `namespaces` may reach `cidr` on `ports`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EgressRule {
    /// A DNS-1123 name; the policy is `allow-egress-<name>`.
    pub name: String,
    /// The namespaces it applies to (default: all).
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// The destination block.
    pub cidr: String,
    /// Blocks strictly inside `cidr`, of its address family, that stay closed.
    #[serde(default)]
    pub except: Vec<String>,
    /// The destination ports (at least one).
    pub ports: Vec<PortSpec>,
    /// Required to open a `/0` block (every address); refused otherwise.
    #[serde(default)]
    pub allow_any_destination: bool,
}

/// A destination port.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortSpec {
    /// The port.
    pub port: u16,
    /// The protocol.
    #[serde(default)]
    pub protocol: Protocol,
}

/// A `NetworkPolicy` protocol.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[expect(missing_docs, reason = "the variants are the protocol names")]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    /// The name Kubernetes uses.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Tcp => "TCP",
            Self::Udp => "UDP",
            Self::Sctp => "SCTP",
        }
    }
}

const fn yes() -> bool {
    true
}

const fn restricted() -> PodSecurityLevel {
    PodSecurityLevel::Restricted
}

const fn default_id() -> i64 {
    1000
}

const fn https_port() -> u16 {
    443
}

/// The JSON schema of [`NetworkSecurityConfig`].
pub fn schema() -> serde_json::Value {
    let port = serde_json::json!({
        "type": "object", "additionalProperties": false, "required": ["port"],
        "properties": {
            "port": { "type": "integer", "minimum": 1, "maximum": 65535 },
            "protocol": { "enum": ["TCP", "UDP", "SCTP"], "default": "TCP" }
        }
    });
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["namespaces", "platform_namespace"],
        "properties": {
            "namespaces": { "type": "array", "items": { "type": "string" }, "minItems": 1 },
            "platform_namespace": { "type": "string" },
            "allow_dns": { "type": "boolean", "default": true },
            "kubernetes_api": {
                "type": "object", "additionalProperties": false, "required": ["cidr"],
                "properties": {
                    "cidr": { "type": "string" },
                    "port": { "type": "integer", "default": 443 },
                    "namespaces": { "type": "array", "items": { "type": "string" } }
                }
            },
            "https_egress": { "type": "array", "items": { "type": "string" } },
            "https_egress_ipv6": { "type": "boolean", "default": true },
            "egress_rules": {
                "type": "array",
                "items": {
                    "type": "object", "additionalProperties": false,
                    "required": ["name", "cidr", "ports"],
                    "properties": {
                        "name": { "type": "string" },
                        "namespaces": { "type": "array", "items": { "type": "string" } },
                        "cidr": { "type": "string" },
                        "except": { "type": "array", "items": { "type": "string" } },
                        "ports": { "type": "array", "items": port, "minItems": 1 },
                        "allow_any_destination": { "type": "boolean", "default": false }
                    }
                }
            },
            "pss_level": { "enum": ["privileged", "baseline", "restricted"], "default": "restricted" },
            "run_as_user": { "type": "integer", "minimum": 1, "default": 1000 },
            "run_as_group": { "type": "integer", "minimum": 1, "default": 1000 },
            "fs_group": { "type": "integer", "minimum": 1, "default": 1000 }
        }
    })
}
