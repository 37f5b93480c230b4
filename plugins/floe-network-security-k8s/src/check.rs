//! The platform's invariants, checked before any policy is generated; each refusal
//! names the config key it is about.

use std::collections::BTreeSet;

use floe_core::plugin::categories::is_dns1123_label;

use crate::cidr::Block;
use crate::config::{EgressRule, NetworkSecurityConfig};
use crate::error::NetworkSecurityError;

/// A refused config: the error, and the key it is about, relative to the plugin's
/// config (`egress_rules[2].except[1]`).
#[derive(Debug)]
pub(crate) struct Refusal {
    pub(crate) key: String,
    /// Boxed: a refusal is rare, and the error is large.
    pub(crate) error: Box<NetworkSecurityError>,
}

fn refuse(key: impl Into<String>, error: NetworkSecurityError) -> Refusal {
    Refusal { key: key.into(), error: Box::new(error) }
}

fn label(key: String, what: &'static str, name: &str) -> Result<(), Refusal> {
    if is_dns1123_label(name) {
        Ok(())
    } else {
        Err(refuse(key, NetworkSecurityError::InvalidName { what, name: name.to_owned() }))
    }
}

/// Checks that every namespace of `listed` (at `key`) is a configured namespace.
fn known(
    config: &NetworkSecurityConfig,
    rule: &str,
    key: &str,
    listed: &[String],
) -> Result<(), Refusal> {
    for (i, namespace) in listed.iter().enumerate() {
        if !config.namespaces.contains(namespace) {
            let error = NetworkSecurityError::UnknownNamespace {
                rule: rule.to_owned(),
                namespace: namespace.clone(),
            };
            return Err(refuse(format!("{key}[{i}]"), error));
        }
    }
    Ok(())
}

/// The block at `key`, refused when it is not one or opens every address unflagged.
fn block(rule: &str, key: String, cidr: &str, any_allowed: bool) -> Result<Block, Refusal> {
    let Some(block) = Block::parse(cidr) else {
        let error =
            NetworkSecurityError::InvalidCidr { rule: rule.to_owned(), cidr: cidr.to_owned() };
        return Err(refuse(key, error));
    };
    if block.prefix == 0 && !any_allowed {
        let error =
            NetworkSecurityError::AnyDestination { rule: rule.to_owned(), cidr: cidr.to_owned() };
        return Err(refuse(key, error));
    }
    Ok(block)
}

fn check_rule(config: &NetworkSecurityConfig, at: &str, rule: &EgressRule) -> Result<(), Refusal> {
    let name = rule.name.as_str();
    known(config, name, &format!("{at}.namespaces"), &rule.namespaces)?;
    let outer = block(name, format!("{at}.cidr"), &rule.cidr, rule.allow_any_destination)?;
    for (i, except) in rule.except.iter().enumerate() {
        let key = format!("{at}.except[{i}]");
        let inner = block(name, key.clone(), except, true)?;
        if inner.family != outer.family {
            let error = NetworkSecurityError::ExceptFamily {
                rule: name.to_owned(),
                cidr: rule.cidr.clone(),
                family: outer.family.name(),
                except: except.clone(),
                except_family: inner.family.name(),
            };
            return Err(refuse(key, error));
        }
        if !outer.strictly_contains(inner) {
            let error = NetworkSecurityError::ExceptOutside {
                rule: name.to_owned(),
                cidr: rule.cidr.clone(),
                except: except.clone(),
            };
            return Err(refuse(key, error));
        }
    }
    if rule.ports.is_empty() || rule.ports.iter().any(|p| p.port == 0) {
        let error = NetworkSecurityError::InvalidPort { rule: name.to_owned() };
        return Err(refuse(format!("{at}.ports"), error));
    }
    Ok(())
}

/// Checks every rule of `config` against the platform's invariants.
pub(crate) fn check(config: &NetworkSecurityConfig) -> Result<(), Refusal> {
    for (i, namespace) in config.namespaces.iter().enumerate() {
        label(format!("namespaces[{i}]"), "namespace", namespace)?;
    }
    if !config.namespaces.contains(&config.platform_namespace) {
        let error = NetworkSecurityError::PlatformNamespace {
            namespace: config.platform_namespace.clone(),
        };
        return Err(refuse("platform_namespace", error));
    }
    known(config, "https_egress", "https_egress", &config.https_egress)?;
    if let Some(api) = &config.kubernetes_api {
        let rule = "kubernetes_api";
        known(config, rule, "kubernetes_api.namespaces", &api.namespaces)?;
        block(rule, "kubernetes_api.cidr".to_owned(), &api.cidr, false)?;
        if api.port == 0 {
            let error = NetworkSecurityError::InvalidPort { rule: rule.to_owned() };
            return Err(refuse("kubernetes_api.port", error));
        }
    }
    let mut names = BTreeSet::new();
    for (i, rule) in config.egress_rules.iter().enumerate() {
        let at = format!("egress_rules[{i}]");
        label(format!("{at}.name"), "egress rule", &rule.name)?;
        if !names.insert(rule.name.as_str()) {
            let error = NetworkSecurityError::DuplicateRule { rule: rule.name.clone() };
            return Err(refuse(format!("{at}.name"), error));
        }
        check_rule(config, &at, rule)?;
    }
    for (what, value) in [
        ("run_as_user", config.run_as_user),
        ("run_as_group", config.run_as_group),
        ("fs_group", config.fs_group),
    ] {
        if value < 1 {
            return Err(refuse(what, NetworkSecurityError::RootId { what, value }));
        }
    }
    Ok(())
}
