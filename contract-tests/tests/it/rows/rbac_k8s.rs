//! floe-rbac-k8s: generating namespaces, a service account, its role and binding (no
//! peer here: the plugin's own tests judge every document with the Kubernetes 1.33
//! schemas); the forced failure is a rule granting `pods/exec` without
//! `allow_privileged`. The plugin takes no credentials, so the planted secret has nowhere
//! to go.

use contract_tests::Row;
use floe_core::plugin::categories::Rbac as _;
use floe_rbac_k8s::{RbacError, RbacPlugin};
use serde_json::json;

pub(crate) const ROW: Row = Row { package: "floe-rbac-k8s", succeed, fail };

fn plugin(rule: &serde_json::Value) -> RbacPlugin {
    let config = json!({
        "namespaces": [{ "name": "floe-jobs" }],
        "service_accounts": [{ "name": "job-runner", "namespace": "floe-jobs", "rules": [rule] }],
    });
    RbacPlugin::new(serde_json::from_value(config).expect("a valid config"))
}

fn succeed() {
    let rule = json!({ "api_groups": [""], "resources": ["pods"], "verbs": ["get", "list"] });
    let manifests = plugin(&rule).rbac_manifests().expect("the manifests are generated");
    assert_eq!(manifests.documents.len(), 4);
}

fn fail(_secret: &str) {
    let rule = json!({ "api_groups": [""], "resources": ["pods/exec"], "verbs": ["create"] });
    let error = plugin(&rule).rbac_manifests().expect_err("exec into pods needs the rule's flag");
    assert!(matches!(error, RbacError::PrivilegedResource { rule: 0, .. }), "{error:?}");
}
