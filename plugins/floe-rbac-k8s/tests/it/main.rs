//! Tests of the RBAC plugin: its spans, and its manifests parsed back into the Kubernetes
//! `OpenAPI` types and checked for least privilege.

mod manifests;
mod tracing;

use floe_rbac_k8s::{RbacConfig, RbacPlugin};
use serde_json::json;

/// Two namespaces, a job runner that reads pods and one Secret, and a metrics reader.
fn platform_config() -> serde_json::Value {
    json!({
        "namespaces": [{ "name": "floe-platform" }, { "name": "floe-jobs", "pss_level": "baseline" }],
        "service_accounts": [
            {
                "name": "job-runner", "namespace": "floe-jobs",
                "rules": [
                    { "api_groups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"] },
                    { "api_groups": ["batch"], "resources": ["jobs"], "verbs": ["create", "get", "delete"] },
                ],
                "secrets": ["warehouse-credentials"],
            },
            { "name": "dashboard", "namespace": "floe-platform" },
        ],
    })
}

/// The plugin for a config.
fn plugin(config: serde_json::Value) -> RbacPlugin {
    RbacPlugin::new(serde_json::from_value::<RbacConfig>(config).expect("config shape"))
}
