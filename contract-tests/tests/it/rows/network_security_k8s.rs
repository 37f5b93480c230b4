//! floe-network-security-k8s: generating the platform's `NetworkPolicies` (no peer: the
//! output is checked against the Kubernetes types in the plugin's own tests); the forced
//! failure is a rule opening every address without the flag. The plugin takes no
//! credentials, so the planted secret has nowhere to go.

use contract_tests::Row;
use floe_core::plugin::categories::NetworkSecurity as _;
use floe_network_security_k8s::NetworkSecurityPlugin;
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
    let rules = json!([{ "name": "anywhere", "cidr": "0.0.0.0/0", "ports": [{ "port": 80 }] }]);
    plugin(&rules).network_policies().expect_err("every address is refused without the flag");
}
