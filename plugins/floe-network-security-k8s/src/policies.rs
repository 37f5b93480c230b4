//! The `NetworkPolicies`: checked rules in, typed `k8s-openapi` documents out.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector, LabelSelectorRequirement, ObjectMeta,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::check::check;
use crate::config::{EgressRule, NetworkSecurityConfig, PortSpec, Protocol};
use crate::error::NetworkSecurityError;

/// The label Kubernetes sets on every namespace with its own name.
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// IPv4 blocks that HTTPS egress never opens: private and link-local (the cloud
/// metadata address, 169.254.169.254).
const PRIVATE_V4: [&str; 4] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"];

/// IPv6 blocks that HTTPS egress never opens: unique-local (where the clouds' IPv6
/// metadata addresses are, `fd00:ec2::254`, `fd20:ce::254`), link-local, IPv4-mapped
/// addresses, and the NAT64 prefixes (well-known and local-use), which reach IPv4
/// addresses, private ones included, through a translator.
const PRIVATE_V6: [&str; 5] =
    ["fc00::/7", "fe80::/10", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48"];

fn policy(namespace: &str, name: &str, spec: NetworkPolicySpec) -> NetworkPolicy {
    NetworkPolicy {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some(namespace.to_owned()),
            labels: Some(BTreeMap::from([(
                "app.kubernetes.io/managed-by".to_owned(),
                "floe".to_owned(),
            )])),
            ..ObjectMeta::default()
        },
        spec: Some(spec),
    }
}

/// An empty selector: every pod of the namespace.
fn every_pod() -> LabelSelector {
    LabelSelector::default()
}

fn namespaces_peer(names: Vec<String>) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        namespace_selector: Some(LabelSelector {
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: NAMESPACE_NAME_LABEL.to_owned(),
                operator: "In".to_owned(),
                values: Some(names),
            }]),
            ..LabelSelector::default()
        }),
        ..NetworkPolicyPeer::default()
    }
}

fn block(cidr: &str, except: &[String]) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        ip_block: Some(IPBlock {
            cidr: cidr.to_owned(),
            except: (!except.is_empty()).then(|| except.to_vec()),
        }),
        ..NetworkPolicyPeer::default()
    }
}

fn port(spec: PortSpec) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(i32::from(spec.port))),
        protocol: Some(spec.protocol.as_str().to_owned()),
        ..NetworkPolicyPort::default()
    }
}

fn egress(to: Vec<NetworkPolicyPeer>, ports: &[PortSpec]) -> NetworkPolicySpec {
    NetworkPolicySpec {
        pod_selector: Some(every_pod()),
        policy_types: Some(vec!["Egress".to_owned()]),
        egress: Some(vec![NetworkPolicyEgressRule {
            to: Some(to),
            ports: Some(ports.iter().copied().map(port).collect()),
        }]),
        ..NetworkPolicySpec::default()
    }
}

fn applies(namespaces: &[String], namespace: &str) -> bool {
    namespaces.is_empty() || namespaces.iter().any(|n| n == namespace)
}

/// Every policy of `namespace`, default deny first.
fn for_namespace(config: &NetworkSecurityConfig, namespace: &str) -> Vec<NetworkPolicy> {
    let mut out = vec![policy(
        namespace,
        "default-deny-all",
        NetworkPolicySpec {
            pod_selector: Some(every_pod()),
            policy_types: Some(vec!["Ingress".to_owned(), "Egress".to_owned()]),
            ..NetworkPolicySpec::default()
        },
    )];
    if config.allow_dns {
        let kube_dns = NetworkPolicyPeer {
            pod_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([("k8s-app".to_owned(), "kube-dns".to_owned())])),
                ..LabelSelector::default()
            }),
            ..namespaces_peer(vec!["kube-system".to_owned()])
        };
        let dns = [
            PortSpec { port: 53, protocol: Protocol::Udp },
            PortSpec { port: 53, protocol: Protocol::Tcp },
        ];
        out.push(policy(namespace, "allow-dns", egress(vec![kube_dns], &dns)));
    }
    // The platform talks to every namespace; the others talk to the platform and to
    // their own pods.
    let peers = if namespace == config.platform_namespace {
        config.namespaces.clone()
    } else {
        let mut peers = vec![config.platform_namespace.clone(), namespace.to_owned()];
        peers.dedup();
        peers
    };
    out.push(policy(
        namespace,
        "allow-platform",
        NetworkPolicySpec {
            pod_selector: Some(every_pod()),
            policy_types: Some(vec!["Ingress".to_owned(), "Egress".to_owned()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(vec![namespaces_peer(peers.clone())]),
                ports: None,
            }]),
            egress: Some(vec![NetworkPolicyEgressRule {
                to: Some(vec![namespaces_peer(peers)]),
                ports: None,
            }]),
        },
    ));
    if let Some(api) = &config.kubernetes_api {
        let allowed = if api.namespaces.is_empty() {
            std::slice::from_ref(&config.platform_namespace)
        } else {
            &api.namespaces[..]
        };
        if allowed.iter().any(|n| n == namespace) {
            let ports = [PortSpec { port: api.port, protocol: Protocol::Tcp }];
            out.push(policy(
                namespace,
                "allow-kubernetes-api",
                egress(vec![block(&api.cidr, &[])], &ports),
            ));
        }
    }
    if config.https_egress.iter().any(|n| n == namespace) {
        let closed = |blocks: &[&str]| blocks.iter().map(|b| (*b).to_owned()).collect::<Vec<_>>();
        let mut public = vec![block("0.0.0.0/0", &closed(&PRIVATE_V4))];
        if config.https_egress_ipv6 {
            public.push(block("::/0", &closed(&PRIVATE_V6)));
        }
        let ports = [PortSpec { port: 443, protocol: Protocol::Tcp }];
        out.push(policy(namespace, "allow-https-egress", egress(public, &ports)));
    }
    for rule in config.egress_rules.iter().filter(|r| applies(&r.namespaces, namespace)) {
        out.push(custom(namespace, rule));
    }
    out
}

fn custom(namespace: &str, rule: &EgressRule) -> NetworkPolicy {
    policy(
        namespace,
        &format!("allow-egress-{}", rule.name),
        egress(vec![block(&rule.cidr, &rule.except)], &rule.ports),
    )
}

/// Every policy of the platform, namespace by namespace.
pub(crate) fn generate(
    config: &NetworkSecurityConfig,
) -> Result<Vec<NetworkPolicy>, NetworkSecurityError> {
    check(config).map_err(|refusal| *refusal.error)?;
    Ok(config.namespaces.iter().flat_map(|namespace| for_namespace(config, namespace)).collect())
}
