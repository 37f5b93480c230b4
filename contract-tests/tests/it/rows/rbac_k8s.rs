//! floe-rbac-k8s: generating namespaces, a service account, its role and binding (no
//! peer: the output is checked against the Kubernetes types in the plugin's own tests);
//! the forced failure is a wildcard verb without the flag. The plugin takes no
//! credentials, so the planted secret has nowhere to go.

use contract_tests::Row;
use floe_core::plugin::categories::Rbac as _;
use floe_rbac_k8s::RbacPlugin;
use serde_json::json;

pub(crate) const ROW: Row = Row { package: "floe-rbac-k8s", succeed, fail };

fn plugin(verbs: &serde_json::Value) -> RbacPlugin {
    let config = json!({
        "namespaces": [{ "name": "floe-jobs" }],
        "service_accounts": [{
            "name": "job-runner", "namespace": "floe-jobs",
            "rules": [{ "api_groups": [""], "resources": ["pods"], "verbs": verbs }],
        }],
    });
    RbacPlugin::new(serde_json::from_value(config).expect("a valid config"))
}

fn succeed() {
    let manifests =
        plugin(&json!(["get", "list"])).rbac_manifests().expect("the manifests are generated");
    assert_eq!(manifests.documents.len(), 4);
}

fn fail(_secret: &str) {
    plugin(&json!(["*"]))
        .rbac_manifests()
        .expect_err("a wildcard verb is refused without the flag");
}
