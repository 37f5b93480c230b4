//! The RBAC documents: a checked config in, typed `k8s-openapi` objects out, as JSON.

use std::collections::{BTreeMap, BTreeSet};

use floe_core::plugin::categories::is_dns1123_label;
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::config::{RbacConfig, RuleSpec, ServiceAccountSpec};
use crate::error::RbacError;

/// Verbs that act on objects; anything else (`escalate`, `bind`, `impersonate`, ...)
/// grants more and needs `allow_wildcards`.
const OBJECT_VERBS: [&str; 8] =
    ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

fn label(what: &'static str, name: &str) -> Result<(), RbacError> {
    if is_dns1123_label(name) {
        Ok(())
    } else {
        Err(RbacError::InvalidName { what, name: name.to_owned() })
    }
}

fn check_rule(account: &str, rule: &RuleSpec, allow_wildcards: bool) -> Result<(), RbacError> {
    if rule.verbs.is_empty() || rule.resources.is_empty() || rule.api_groups.is_empty() {
        return Err(RbacError::EmptyRule { account: account.to_owned() });
    }
    if allow_wildcards {
        return Ok(());
    }
    for (field, values) in
        [("verbs", &rule.verbs), ("resources", &rule.resources), ("api_groups", &rule.api_groups)]
    {
        if values.iter().any(|v| v.contains('*')) {
            return Err(RbacError::Wildcard { account: account.to_owned(), field });
        }
    }
    if let Some(verb) = rule.verbs.iter().find(|v| !OBJECT_VERBS.contains(&v.as_str())) {
        return Err(RbacError::PrivilegedVerb { account: account.to_owned(), verb: verb.clone() });
    }
    let core = rule.api_groups.iter().any(String::is_empty);
    if core && rule.resources.iter().any(|r| r == "secrets") && rule.resource_names.is_empty() {
        return Err(RbacError::UnscopedSecrets { account: account.to_owned() });
    }
    Ok(())
}

/// Checks `config` against least privilege and Kubernetes naming.
pub(crate) fn check(config: &RbacConfig) -> Result<(), RbacError> {
    let mut namespaces = BTreeSet::new();
    for namespace in &config.namespaces {
        label("namespace", &namespace.name)?;
        if !namespaces.insert(namespace.name.as_str()) {
            return Err(RbacError::Duplicate { what: "namespace", name: namespace.name.clone() });
        }
    }
    let mut accounts = BTreeSet::new();
    for account in &config.service_accounts {
        label("service account", &account.name)?;
        let id = format!("{}/{}", account.namespace, account.name);
        if !namespaces.contains(account.namespace.as_str()) {
            return Err(RbacError::UnknownNamespace {
                account: id,
                namespace: account.namespace.clone(),
            });
        }
        if !accounts.insert(id.clone()) {
            return Err(RbacError::Duplicate { what: "service account", name: id });
        }
        for secret in &account.secrets {
            label("secret", secret)?;
        }
        for rule in &account.rules {
            check_rule(&id, rule, config.allow_wildcards)?;
        }
    }
    for (what, value) in [
        ("run_as_user", config.run_as_user),
        ("run_as_group", config.run_as_group),
        ("fs_group", config.fs_group),
    ] {
        if value < 1 {
            return Err(RbacError::RootId { what, value });
        }
    }
    Ok(())
}

fn meta(name: &str, namespace: Option<&str>, extra: BTreeMap<String, String>) -> ObjectMeta {
    let mut labels = extra;
    labels.insert("app.kubernetes.io/managed-by".to_owned(), "floe".to_owned());
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: namespace.map(str::to_owned),
        labels: Some(labels),
        ..ObjectMeta::default()
    }
}

fn rules(account: &ServiceAccountSpec) -> Vec<PolicyRule> {
    let mut out: Vec<PolicyRule> = account
        .rules
        .iter()
        .map(|rule| PolicyRule {
            api_groups: Some(rule.api_groups.clone()),
            resources: Some(rule.resources.clone()),
            verbs: rule.verbs.clone(),
            resource_names: (!rule.resource_names.is_empty()).then(|| rule.resource_names.clone()),
            ..PolicyRule::default()
        })
        .collect();
    if !account.secrets.is_empty() {
        out.push(PolicyRule {
            api_groups: Some(vec![String::new()]),
            resources: Some(vec!["secrets".to_owned()]),
            resource_names: Some(account.secrets.clone()),
            verbs: vec!["get".to_owned()],
            ..PolicyRule::default()
        });
    }
    out
}

fn json<T: serde::Serialize>(
    kind: &'static str,
    value: &T,
) -> Result<serde_json::Value, RbacError> {
    serde_json::to_value(value).map_err(|source| RbacError::Serialize { kind, source })
}

/// Namespaces first, then per account its `ServiceAccount`, `Role` and `RoleBinding`.
pub(crate) fn generate(config: &RbacConfig) -> Result<Vec<serde_json::Value>, RbacError> {
    check(config)?;
    let mut out = Vec::new();
    for namespace in &config.namespaces {
        let labels = namespace.pss_level.namespace_labels();
        out.push(json(
            "Namespace",
            &Namespace { metadata: meta(&namespace.name, None, labels), ..Namespace::default() },
        )?);
    }
    for account in &config.service_accounts {
        let ns = Some(account.namespace.as_str());
        out.push(json(
            "ServiceAccount",
            &ServiceAccount {
                metadata: meta(&account.name, ns, BTreeMap::new()),
                automount_service_account_token: Some(account.automount_token),
                ..ServiceAccount::default()
            },
        )?);
        let rules = rules(account);
        if rules.is_empty() {
            continue;
        }
        let role = format!("{}-role", account.name);
        out.push(json(
            "Role",
            &Role { metadata: meta(&role, ns, BTreeMap::new()), rules: Some(rules) },
        )?);
        out.push(json(
            "RoleBinding",
            &RoleBinding {
                metadata: meta(&format!("{}-binding", account.name), ns, BTreeMap::new()),
                role_ref: RoleRef {
                    api_group: "rbac.authorization.k8s.io".to_owned(),
                    kind: "Role".to_owned(),
                    name: role,
                },
                subjects: Some(vec![Subject {
                    kind: "ServiceAccount".to_owned(),
                    name: account.name.clone(),
                    namespace: Some(account.namespace.clone()),
                    api_group: None,
                }]),
            },
        )?);
    }
    Ok(out)
}
