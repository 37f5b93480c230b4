//! The manifests parsed back from YAML into the Kubernetes `OpenAPI` types, and the
//! platform's invariants: every namespace denies by default, no rule opens every address
//! unless flagged, allowances are as narrow as configured.
#![expect(clippy::unwrap_used, reason = "test helpers: a failed step fails the test")]

use floe_core::plugin::categories::NetworkSecurity as _;
use floe_core::plugin::{PluginCategory, PluginErrorKind, ResolvedConfig, find};
use floe_network_security_k8s::NetworkSecurityError;
use k8s_openapi::api::core::v1::{PodSecurityContext, SecurityContext};
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use proptest::prelude::*;
use serde_json::json;

use crate::{full_config, plugin};

/// The policies of `config`, written as YAML and parsed back as `NetworkPolicy`s.
fn policies(config: serde_json::Value) -> Vec<NetworkPolicy> {
    let yaml = plugin(config).network_policies().unwrap().to_yaml().unwrap();
    let documents: Vec<serde_json::Value> = serde_saphyr::from_multiple(&yaml).unwrap();
    for document in &documents {
        assert_eq!(document["apiVersion"], "networking.k8s.io/v1");
        assert_eq!(document["kind"], "NetworkPolicy");
    }
    documents
        .into_iter()
        .map(|d| serde_json::from_value(d).expect("a valid NetworkPolicy"))
        .collect()
}

fn find_policy<'p>(
    all: &'p [NetworkPolicy],
    namespace: &str,
    name: &str,
) -> Option<&'p NetworkPolicy> {
    all.iter().find(|p| {
        p.metadata.namespace.as_deref() == Some(namespace)
            && p.metadata.name.as_deref() == Some(name)
    })
}

fn egress_peers(policy: &NetworkPolicy) -> Vec<NetworkPolicyPeer> {
    let spec = policy.spec.clone().unwrap();
    spec.egress.unwrap_or_default().into_iter().flat_map(|r| r.to.unwrap_or_default()).collect()
}

fn namespaces_of(peer: &NetworkPolicyPeer) -> Vec<String> {
    let selector = peer.namespace_selector.clone().unwrap();
    let requirement = &selector.match_expressions.unwrap()[0];
    assert_eq!(
        (requirement.key.as_str(), requirement.operator.as_str()),
        ("kubernetes.io/metadata.name", "In")
    );
    requirement.values.clone().unwrap()
}

#[test]
fn every_namespace_starts_with_a_default_deny_of_both_directions() {
    let all = policies(full_config());

    for namespace in ["floe-platform", "floe-jobs"] {
        let first =
            all.iter().find(|p| p.metadata.namespace.as_deref() == Some(namespace)).unwrap();
        assert_eq!(first.metadata.name.as_deref(), Some("default-deny-all"));
        let spec = first.spec.clone().unwrap();
        assert_eq!(spec.pod_selector, Some(LabelSelector::default()), "selects every pod");
        assert_eq!(spec.policy_types, Some(vec!["Ingress".to_owned(), "Egress".to_owned()]));
        assert!(spec.ingress.is_none() && spec.egress.is_none(), "allows nothing");
        assert_eq!(first.metadata.labels.as_ref().unwrap()["app.kubernetes.io/managed-by"], "floe");
    }
}

#[test]
fn dns_is_allowed_only_to_kube_dns_on_port_53() {
    let all = policies(full_config());

    let dns = find_policy(&all, "floe-jobs", "allow-dns").unwrap();
    let peer = &egress_peers(dns)[0];
    assert_eq!(namespaces_of(peer), ["kube-system"]);
    assert_eq!(peer.pod_selector.clone().unwrap().match_labels.unwrap()["k8s-app"], "kube-dns");
    let ports = dns.spec.clone().unwrap().egress.unwrap()[0].ports.clone().unwrap();
    let ports: Vec<(Option<IntOrString>, Option<String>)> =
        ports.into_iter().map(|p| (p.port, p.protocol)).collect();
    assert_eq!(
        ports,
        [
            (Some(IntOrString::Int(53)), Some("UDP".to_owned())),
            (Some(IntOrString::Int(53)), Some("TCP".to_owned())),
        ]
    );
    let mut config = full_config();
    config["allow_dns"] = json!(false);
    assert!(find_policy(&policies(config), "floe-jobs", "allow-dns").is_none());
}

#[test]
fn the_platform_reaches_every_namespace_and_the_others_only_the_platform_and_themselves() {
    let all = policies(full_config());

    let platform = find_policy(&all, "floe-platform", "allow-platform").unwrap();
    assert_eq!(namespaces_of(&egress_peers(platform)[0]), ["floe-platform", "floe-jobs"]);
    let jobs = find_policy(&all, "floe-jobs", "allow-platform").unwrap();
    assert_eq!(namespaces_of(&egress_peers(jobs)[0]), ["floe-platform", "floe-jobs"]);
    let ingress = jobs.spec.clone().unwrap().ingress.unwrap();
    assert_eq!(namespaces_of(&ingress[0].from.clone().unwrap()[0]), ["floe-platform", "floe-jobs"]);
}

#[test]
fn the_kubernetes_api_is_open_only_to_the_platform_by_default() {
    let all = policies(full_config());

    let api = find_policy(&all, "floe-platform", "allow-kubernetes-api").unwrap();
    assert_eq!(egress_peers(api)[0].ip_block.clone().unwrap().cidr, "10.96.0.1/32");
    assert!(find_policy(&all, "floe-jobs", "allow-kubernetes-api").is_none());
}

#[test]
fn https_egress_keeps_private_and_metadata_addresses_closed() {
    let all = policies(full_config());

    let https = find_policy(&all, "floe-jobs", "allow-https-egress").unwrap();
    let block = egress_peers(https)[0].ip_block.clone().unwrap();
    assert_eq!(block.cidr, "0.0.0.0/0");
    assert_eq!(
        block.except.unwrap(),
        ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"]
    );
    assert!(find_policy(&all, "floe-platform", "allow-https-egress").is_none());
}

#[test]
fn custom_rules_apply_to_their_namespaces_with_their_ports() {
    let all = policies(full_config());

    assert!(find_policy(&all, "floe-jobs", "allow-egress-warehouse").is_some());
    assert!(
        find_policy(&all, "floe-platform", "allow-egress-warehouse").is_none(),
        "scoped to floe-jobs"
    );
    let syslog = find_policy(&all, "floe-platform", "allow-egress-syslog")
        .expect("unscoped rules apply everywhere");
    let port = &syslog.spec.clone().unwrap().egress.unwrap()[0].ports.clone().unwrap()[0];
    assert_eq!(
        (port.port.clone(), port.protocol.as_deref()),
        (Some(IntOrString::Int(514)), Some("UDP"))
    );
}

/// Asserts that `config` is refused with `expected` in the message, both when generating
/// and when the registered plugin is built from a manifest, which names the key as
/// `plugins.network_security.config.<key>`.
#[track_caller]
fn assert_refused(config: &serde_json::Value, expected: &str, key: &str) {
    let error = plugin(config.clone()).network_policies().unwrap_err().to_string();
    assert!(error.contains(expected), "{error} should contain {expected}");

    let descriptor = find(PluginCategory::NetworkSecurity, "k8s").expect("registered");
    let literal = ResolvedConfig::literal("plugins.network_security.config", config.clone());
    let refused = (descriptor.construct)(&literal).map(|_| ()).unwrap_err();
    assert_eq!(refused.kind, PluginErrorKind::Config);
    assert_eq!(
        refused.to_string(),
        format!("plugin network_security/k8s: plugins.network_security.config.{key}: {error}")
    );
}

#[test]
fn rules_that_are_not_allowed_are_refused_naming_the_rule_and_the_key() {
    let with = |key: &str, value: serde_json::Value| {
        let mut config = full_config();
        config[key] = value;
        config
    };
    // A third egress rule, `r`, after the two of `full_config`.
    let rule = |fields: serde_json::Value| {
        let mut rule = json!({ "name": "r", "cidr": "10.1.0.0/16", "ports": [{ "port": 1 }] });
        for (k, v) in fields.as_object().unwrap() {
            rule[k] = v.clone();
        }
        let mut config = full_config();
        config["egress_rules"].as_array_mut().unwrap().push(rule);
        config
    };
    let cases = [
        (
            with("platform_namespace", json!("elsewhere")),
            "platform namespace elsewhere",
            "platform_namespace",
        ),
        (
            with("namespaces", json!(["floe-platform", "Floe_Jobs"])),
            "namespace \"Floe_Jobs\" is not a DNS-1123 label",
            "namespaces[1]",
        ),
        (
            with("https_egress", json!(["floe-jobs", "other"])),
            "https_egress names namespace other",
            "https_egress[1]",
        ),
        (
            rule(json!({ "namespaces": ["other"] })),
            "r names namespace other",
            "egress_rules[2].namespaces[0]",
        ),
        (
            rule(json!({ "cidr": "10.1.0.0/33" })),
            "r: \"10.1.0.0/33\" is not a CIDR block",
            "egress_rules[2].cidr",
        ),
        (rule(json!({ "cidr": "::/0" })), "egress rule r opens ::/0", "egress_rules[2].cidr"),
        (
            rule(json!({ "except": ["10.1.1.0/24", "nope"] })),
            "r: \"nope\" is not a CIDR block",
            "egress_rules[2].except[1]",
        ),
        (
            rule(json!({ "except": ["10.9.0.0/24"] })),
            "egress rule r: except block 10.9.0.0/24 is not strictly inside 10.1.0.0/16",
            "egress_rules[2].except[0]",
        ),
        (
            rule(json!({ "except": ["fd00::/64"] })),
            "egress rule r: except block fd00::/64 is IPv6 but 10.1.0.0/16 is IPv4",
            "egress_rules[2].except[0]",
        ),
        (rule(json!({ "ports": [] })), "egress rule r needs ports", "egress_rules[2].ports"),
        (rule(json!({ "ports": [{ "port": 0 }] })), "needs ports", "egress_rules[2].ports"),
        (rule(json!({ "name": "Bad Name" })), "egress rule \"Bad Name\"", "egress_rules[2].name"),
        (
            rule(json!({ "name": "syslog" })),
            "egress rule syslog is defined twice",
            "egress_rules[2].name",
        ),
        (
            with("kubernetes_api", json!({ "cidr": "0.0.0.0/0" })),
            "kubernetes_api opens 0.0.0.0/0",
            "kubernetes_api.cidr",
        ),
        (
            with("kubernetes_api", json!({ "cidr": "10.96.0.1" })),
            "kubernetes_api: \"10.96.0.1\" is not a CIDR block",
            "kubernetes_api.cidr",
        ),
        (
            with("kubernetes_api", json!({ "cidr": "10.96.0.1/32", "port": 0 })),
            "egress rule kubernetes_api needs ports",
            "kubernetes_api.port",
        ),
        (
            with("kubernetes_api", json!({ "cidr": "10.96.0.1/32", "namespaces": ["nope"] })),
            "kubernetes_api names namespace nope",
            "kubernetes_api.namespaces[0]",
        ),
        (with("run_as_user", json!(0)), "run_as_user must be a non-root id", "run_as_user"),
        (with("run_as_group", json!(-5)), "run_as_group must be a non-root id", "run_as_group"),
        (with("fs_group", json!(0)), "fs_group must be a non-root id", "fs_group"),
    ];
    for (config, expected, key) in cases {
        assert_refused(&config, expected, key);
    }
}

#[test]
fn unknown_config_keys_are_refused_by_the_registered_plugin() {
    let descriptor = find(PluginCategory::NetworkSecurity, "k8s").expect("registered");
    let mut config = full_config();
    config["default_deny"] = json!(false);

    let error =
        (descriptor.construct)(&ResolvedConfig::literal("plugins.network_security.config", config))
            .unwrap_err();

    assert!(error.to_string().contains("default_deny"), "{error}");
}

#[test]
fn security_contexts_are_valid_kubernetes_types_at_the_restricted_level() {
    let plugin = plugin(full_config());

    let pod: PodSecurityContext = serde_json::from_value(plugin.pod_security_context()).unwrap();
    let container: SecurityContext =
        serde_json::from_value(plugin.container_security_context()).unwrap();

    assert_eq!(
        (pod.run_as_non_root, pod.run_as_user, pod.fs_group),
        (Some(true), Some(1000), Some(1000))
    );
    assert_eq!(pod.seccomp_profile.unwrap().type_, "RuntimeDefault");
    assert_eq!(container.allow_privilege_escalation, Some(false));
    assert_eq!(container.capabilities.unwrap().drop, Some(vec!["ALL".to_owned()]));
    assert_eq!(container.read_only_root_filesystem, Some(true));
}

fn cidr() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0.0.0.0/0".to_owned()),
        Just("::/0".to_owned()),
        (0u8..=255, 1u8..=32).prop_map(|(octet, prefix)| format!("10.{octet}.0.0/{prefix}")),
        (1u8..=128).prop_map(|prefix| format!("fd00::/{prefix}")),
    ]
}

proptest! {
    #[test]
    fn no_custom_rule_opens_every_address_without_the_flag(cidr in cidr(), flagged in any::<bool>()) {
        let mut config = full_config();
        config["https_egress"] = json!([]);
        config["egress_rules"] = json!([{
            "name": "generated", "cidr": cidr, "ports": [{ "port": 443 }], "allow_any_destination": flagged,
        }]);
        let every_address = cidr.ends_with("/0");
        match plugin(config.clone()).network_policies() {
            Err(NetworkSecurityError::AnyDestination { .. }) => prop_assert!(every_address && !flagged),
            Err(other) => prop_assert!(false, "unexpected error {other}"),
            Ok(_) => {
                prop_assert!(!every_address || flagged);
                let opened = policies(config).iter().flat_map(egress_peers).filter_map(|p| p.ip_block).any(|b| b.cidr.ends_with("/0"));
                prop_assert_eq!(opened, every_address);
            }
        }
    }
}
