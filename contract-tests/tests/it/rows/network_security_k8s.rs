//! floe-network-security-k8s: generating the platform's `NetworkPolicies` (no peer here:
//! the plugin's own tests judge every document with the Kubernetes 1.33 schemas); the
//! forced failure is an `except` block outside its rule's block, which Kubernetes would
//! refuse. The plugin takes no credentials, so the planted secret has nowhere to go.

use contract_tests::Row;
use floe_core::plugin::categories::NetworkSecurity as _;
use floe_network_security_k8s::{NetworkSecurityError, NetworkSecurityPlugin};
use serde_json::json;

pub(crate) const ROW: Row = Row { package: "floe-network-security-k8s", succeed, fail };

fn plugin(egress_rules: &serde_json::Value) -> NetworkSecurityPlugin {
    let config = json!({
        "namespaces": ["floe-platform", "floe-jobs"],
        "platform_namespace": "floe-platform",
        "egress_rules": egress_rules,
    });
    NetworkSecurityPlugin::new(serde_json::from_value(config).expect("a valid config"))
}

fn succeed() {
    let rules =
        json!([{ "name": "warehouse", "cidr": "10.20.0.0/16", "ports": [{ "port": 5432 }] }]);
    let manifests = plugin(&rules).network_policies().expect("the policies are generated");
    assert_eq!(manifests.documents.len(), 8);
}

fn fail(_secret: &str) {
    let rules = json!([{
        "name": "warehouse", "cidr": "10.20.0.0/16", "except": ["10.30.0.0/24"], "ports": [{ "port": 5432 }],
    }]);
    let error = plugin(&rules).network_policies().expect_err("the except block is outside");
    assert!(matches!(error, NetworkSecurityError::ExceptOutside { .. }), "{error:?}");
}
