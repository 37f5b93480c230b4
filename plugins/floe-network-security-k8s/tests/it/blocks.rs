//! Address blocks as Kubernetes reads them: an `except` block must lie strictly inside
//! its rule's block and be of the same address family, and HTTPS egress opens the public
//! internet over IPv6 as over IPv4, with the private, link-local, unique-local, mapped and
//! translated ranges closed.
#![expect(clippy::unwrap_used, reason = "test helpers: a failed step fails the test")]

use std::net::IpAddr;

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

/// The `(cidr, except)` blocks of the `allow-https-egress` policy of floe-jobs.
fn https_blocks(config: serde_json::Value) -> Vec<(String, Vec<String>)> {
    let manifests = plugin(config).network_policies().unwrap();
    let https = manifests
        .documents
        .iter()
        .find(|d| {
            d["metadata"]["name"] == "allow-https-egress"
                && d["metadata"]["namespace"] == "floe-jobs"
        })
        .unwrap();
    assert_eq!(https["spec"]["egress"][0]["ports"], json!([{ "port": 443, "protocol": "TCP" }]));
    https["spec"]["egress"][0]["to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|peer| {
            let block = &peer["ipBlock"];
            let except =
                block["except"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_owned());
            (block["cidr"].as_str().unwrap().to_owned(), except.collect())
        })
        .collect()
}

fn inside(block: &str, address: &str) -> bool {
    let (network, prefix) = block.split_once('/').unwrap();
    let prefix: u32 = prefix.parse().unwrap();
    match (network.parse::<IpAddr>().unwrap(), address.parse::<IpAddr>().unwrap()) {
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
            u128::from(n) & mask == u128::from(a) & mask
        }
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
            u32::from(n) & mask == u32::from(a) & mask
        }
        _ => false,
    }
}

#[test]
fn https_egress_opens_public_ipv6_beside_ipv4_and_keeps_internal_ranges_closed() {
    let blocks = https_blocks(full_config());

    assert_eq!(blocks.len(), 2, "{blocks:?}");
    assert_eq!(blocks[0].0, "0.0.0.0/0");
    assert_eq!(blocks[1].0, "::/0");
    let closed = |address: &str| blocks.iter().flat_map(|(_, e)| e).any(|e| inside(e, address));
    for internal in [
        "fd00:ec2::254",    // AWS instance metadata over IPv6 (unique local)
        "fd20:ce::254",     // Google Cloud metadata over IPv6 (unique local)
        "fe80::1",          // link-local
        "::ffff:10.0.0.1",  // IPv4-mapped private address
        "64:ff9b::a00:1",   // NAT64 well-known prefix, translating to 10.0.0.1
        "64:ff9b:1::a00:1", // NAT64 local-use prefix
        "169.254.169.254",  // IPv4 metadata
        "10.0.0.1",
    ] {
        assert!(closed(internal), "{internal} must stay closed");
    }
    for public in ["2606:4700:4700::1111", "2a00:1450:4001::200e", "1.1.1.1"] {
        assert!(!closed(public), "{public} is public");
    }
    for (cidr, excepts) in &blocks {
        for except in excepts {
            let network = except.split_once('/').unwrap().0;
            assert!(inside(cidr, network), "the API server requires {except} inside {cidr}");
        }
    }
}

#[test]
fn ipv6_https_egress_can_be_turned_off() {
    let mut config = full_config();
    config["https_egress_ipv6"] = json!(false);

    let blocks = https_blocks(config);

    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0].0, "0.0.0.0/0");
}
