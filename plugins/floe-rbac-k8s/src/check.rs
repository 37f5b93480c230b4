//! Least privilege and Kubernetes naming, checked before anything is generated; each
//! refusal names the config key it is about.

use std::collections::BTreeSet;

use floe_core::plugin::categories::is_dns1123_label;

use crate::config::{RbacConfig, RuleSpec};
use crate::error::RbacError;

/// Verbs that act on objects; anything else (`escalate`, `bind`, `impersonate`, ...)
/// grants more and needs `allow_wildcards`.
const OBJECT_VERBS: [&str; 8] =
    ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

/// Core-group subresources that reach into a pod, a service's pods or an account's
/// credentials, whatever the verb (exec and attach took `get` before Kubernetes 1.30's
/// WebSocket change, `create` since).
const POD_ACCESS: [&str; 7] = [
    "pods/exec",
    "pods/attach",
    "pods/portforward",
    "pods/proxy",
    "pods/ephemeralcontainers",
    "services/proxy",
    "serviceaccounts/token",
];

/// `(API group, resource)` of the objects that make pods: whoever creates or changes one
/// runs a pod with any service account, Secret or volume of the namespace.
const WORKLOADS: [(&str, &str); 11] = [
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("extensions", "deployments"),
    ("extensions", "replicasets"),
    ("extensions", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
];

/// The verbs that create a workload or change its pod template.
const WORKLOAD_VERBS: [&str; 3] = ["create", "update", "patch"];

/// A refused config: the error, and the key it is about, relative to the plugin's
/// config (`service_accounts[0].rules[1]`).
#[derive(Debug)]
pub(crate) struct Refusal {
    pub(crate) key: String,
    pub(crate) error: RbacError,
}

fn refuse(key: impl Into<String>, error: RbacError) -> Refusal {
    Refusal { key: key.into(), error }
}

fn label(key: String, what: &'static str, name: &str) -> Result<(), Refusal> {
    if is_dns1123_label(name) {
        Ok(())
    } else {
        Err(refuse(key, RbacError::InvalidName { what, name: name.to_owned() }))
    }
}

/// The first grant of `rule` that lets its holder act as another account.
fn privileged_grant(rule: &RuleSpec) -> Option<(&str, &str)> {
    let core = rule.api_groups.iter().any(String::is_empty);
    for resource in &rule.resources {
        if core && POD_ACCESS.contains(&resource.as_str()) {
            return rule.verbs.first().map(|verb| (verb.as_str(), resource.as_str()));
        }
        let workload = rule
            .api_groups
            .iter()
            .any(|group| WORKLOADS.contains(&(group.as_str(), resource.as_str())));
        if workload
            && let Some(verb) = rule.verbs.iter().find(|v| WORKLOAD_VERBS.contains(&v.as_str()))
        {
            return Some((verb.as_str(), resource.as_str()));
        }
    }
    None
}

fn check_rule(
    account: &str,
    at: &str,
    index: usize,
    rule: &RuleSpec,
    allow_wildcards: bool,
) -> Result<(), Refusal> {
    let key = format!("{at}.rules[{index}]");
    let account = account.to_owned();
    if rule.verbs.is_empty() || rule.resources.is_empty() || rule.api_groups.is_empty() {
        return Err(refuse(key, RbacError::EmptyRule { account, rule: index }));
    }
    if allow_wildcards {
        return Ok(());
    }
    for (field, values) in
        [("verbs", &rule.verbs), ("resources", &rule.resources), ("api_groups", &rule.api_groups)]
    {
        if values.iter().any(|v| v.contains('*')) {
            let error = RbacError::Wildcard { account, rule: index, field };
            return Err(refuse(format!("{key}.{field}"), error));
        }
    }
    if let Some(verb) = rule.verbs.iter().find(|v| !OBJECT_VERBS.contains(&v.as_str())) {
        let error = RbacError::PrivilegedVerb { account, rule: index, verb: verb.clone() };
        return Err(refuse(format!("{key}.verbs"), error));
    }
    let core = rule.api_groups.iter().any(String::is_empty);
    if core && rule.resources.iter().any(|r| r == "secrets") && rule.resource_names.is_empty() {
        return Err(refuse(key, RbacError::UnscopedSecrets { account, rule: index }));
    }
    if !rule.allow_privileged
        && let Some((verb, resource)) = privileged_grant(rule)
    {
        let error = RbacError::PrivilegedResource {
            account,
            rule: index,
            resource: resource.to_owned(),
            verb: verb.to_owned(),
        };
        return Err(refuse(key, error));
    }
    Ok(())
}

/// Checks `config` against least privilege and Kubernetes naming.
pub(crate) fn check(config: &RbacConfig) -> Result<(), Refusal> {
    let mut namespaces = BTreeSet::new();
    for (i, namespace) in config.namespaces.iter().enumerate() {
        let key = format!("namespaces[{i}].name");
        label(key.clone(), "namespace", &namespace.name)?;
        if !namespaces.insert(namespace.name.as_str()) {
            let error = RbacError::Duplicate { what: "namespace", name: namespace.name.clone() };
            return Err(refuse(key, error));
        }
    }
    let mut accounts = BTreeSet::new();
    for (a, account) in config.service_accounts.iter().enumerate() {
        let at = format!("service_accounts[{a}]");
        label(format!("{at}.name"), "service account", &account.name)?;
        let id = format!("{}/{}", account.namespace, account.name);
        if !namespaces.contains(account.namespace.as_str()) {
            let error =
                RbacError::UnknownNamespace { account: id, namespace: account.namespace.clone() };
            return Err(refuse(format!("{at}.namespace"), error));
        }
        if !accounts.insert(id.clone()) {
            let error = RbacError::Duplicate { what: "service account", name: id };
            return Err(refuse(format!("{at}.name"), error));
        }
        for (s, secret) in account.secrets.iter().enumerate() {
            label(format!("{at}.secrets[{s}]"), "secret", secret)?;
        }
        for (r, rule) in account.rules.iter().enumerate() {
            check_rule(&id, &at, r, rule, config.allow_wildcards)?;
        }
    }
    for (what, value) in [
        ("run_as_user", config.run_as_user),
        ("run_as_group", config.run_as_group),
        ("fs_group", config.fs_group),
    ] {
        if value < 1 {
            return Err(refuse(what, RbacError::RootId { what, value }));
        }
    }
    Ok(())
}
