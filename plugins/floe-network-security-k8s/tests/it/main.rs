//! Tests of the network security plugin: its spans, its manifests judged by the
//! Kubernetes 1.33 schemas and parsed back into the Kubernetes `OpenAPI` types, checked
//! against the platform's invariants, and config refusals naming their manifest key.

mod blocks;
mod manifests;
mod schemas;
mod tracing;

use floe_network_security_k8s::{NetworkSecurityConfig, NetworkSecurityPlugin};
use serde_json::json;

/// A platform of two namespaces with every kind of allowance.
fn full_config() -> serde_json::Value {
    json!({
        "namespaces": ["floe-platform", "floe-jobs"],
        "platform_namespace": "floe-platform",
        "kubernetes_api": { "cidr": "10.96.0.1/32" },
        "https_egress": ["floe-jobs"],
        "egress_rules": [
            { "name": "warehouse", "namespaces": ["floe-jobs"], "cidr": "10.20.0.0/16",
              "ports": [{ "port": 5432 }] },
            { "name": "syslog", "cidr": "192.168.7.10/32", "ports": [{ "port": 514, "protocol": "UDP" }] },
        ],
    })
}

/// The plugin for a config.
fn plugin(config: serde_json::Value) -> NetworkSecurityPlugin {
    NetworkSecurityPlugin::new(
        serde_json::from_value::<NetworkSecurityConfig>(config).expect("config shape"),
    )
}
