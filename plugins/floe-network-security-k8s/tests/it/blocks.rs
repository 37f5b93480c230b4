//! Address blocks as Kubernetes reads them: an `except` block must lie strictly inside
//! its rule's block and be of the same address family.
#![expect(clippy::unwrap_used, reason = "test helpers: a failed step fails the test")]

use floe_core::plugin::categories::NetworkSecurity as _;
use floe_network_security_k8s::NetworkSecurityError;
use serde_json::json;

use crate::{full_config, plugin};

/// `full_config` with one more egress rule, `r`, at index 2, blocking `except` of `cidr`.
fn with_except(cidr: &str, except: &[&str]) -> serde_json::Value {
    let mut config = full_config();
    config["egress_rules"].as_array_mut().unwrap().push(json!({
        "name": "r", "cidr": cidr, "except": except, "ports": [{ "port": 443 }],
        "allow_any_destination": cidr.ends_with("/0"),
    }));
    config
}

#[test]
fn except_blocks_outside_their_block_or_of_another_family_are_refused_naming_the_rule() {
    let cases = [
        ("10.1.0.0/16", "10.1.2.0/24", "192.168.0.0/24", "is not strictly inside 10.1.0.0/16"),
        ("10.1.0.0/16", "10.1.2.0/24", "10.1.0.0/16", "is not strictly inside 10.1.0.0/16"),
        ("10.1.0.0/16", "10.1.2.0/24", "10.0.0.0/8", "is not strictly inside 10.1.0.0/16"),
        ("10.1.0.0/16", "10.1.2.0/24", "10.2.0.0/24", "is not strictly inside 10.1.0.0/16"),
        ("fd00::/8", "fd00:1::/32", "fe80::/64", "is not strictly inside fd00::/8"),
        ("fd00::/8", "fd00:1::/32", "10.1.0.0/24", "is IPv4 but fd00::/8 is IPv6"),
        ("0.0.0.0/0", "10.0.0.0/8", "::1/128", "is IPv6 but 0.0.0.0/0 is IPv4"),
    ];
    for (cidr, fine, bad, expected) in cases {
        let config = with_except(cidr, &[fine, bad]);

        let error = plugin(config).network_policies().unwrap_err();

        let expected = format!("egress rule r: except block {bad} {expected}");
        assert!(error.to_string().starts_with(&expected), "{error} should start with {expected}");
        let family = expected.contains(" but ");
        assert!(
            matches!(&error, NetworkSecurityError::ExceptFamily { rule, except, .. } if family && rule == "r" && except == bad)
                || matches!(&error, NetworkSecurityError::ExceptOutside { rule, except, cidr: c } if !family && rule == "r" && except == bad && c == cidr),
            "{error:?}"
        );
    }
}

#[test]
fn except_blocks_strictly_inside_their_block_are_kept() {
    let config = with_except("10.1.0.0/16", &["10.1.2.0/24", "10.1.255.255/32"]);

    let manifests = plugin(config).network_policies().unwrap();

    let policy =
        manifests.documents.iter().find(|d| d["metadata"]["name"] == "allow-egress-r").unwrap();
    assert_eq!(
        policy["spec"]["egress"][0]["to"][0]["ipBlock"],
        json!({ "cidr": "10.1.0.0/16", "except": ["10.1.2.0/24", "10.1.255.255/32"] })
    );
}
