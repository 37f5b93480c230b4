//! Tests of the RBAC plugin: its spans, its manifests judged by the Kubernetes 1.33
//! schemas and parsed back into the Kubernetes `OpenAPI` types, least privilege, and
//! config refusals naming their manifest key.

mod least_privilege;
mod manifests;
mod schemas;
mod tracing;

use floe_rbac_k8s::{RbacConfig, RbacPlugin};
use serde_json::json;

/// Two namespaces, a job runner that reads pods and one Secret and creates jobs (which
/// needs `allow_privileged`), and a dashboard with no role.
fn platform_config() -> serde_json::Value {
    json!({
        "namespaces": [{ "name": "floe-platform" }, { "name": "floe-jobs", "pss_level": "baseline" }],
        "service_accounts": [
            {
                "name": "job-runner", "namespace": "floe-jobs",
                "rules": [
                    { "api_groups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"] },
                    { "api_groups": ["batch"], "resources": ["jobs"], "verbs": ["create", "get", "delete"], "allow_privileged": true },
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
