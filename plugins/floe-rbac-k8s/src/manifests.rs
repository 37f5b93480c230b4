//! The RBAC documents: a checked config in, typed `k8s-openapi` objects out, as JSON.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::check::check;
use crate::config::{RbacConfig, ServiceAccountSpec};
use crate::error::RbacError;

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
    check(config).map_err(|refusal| refusal.error)?;
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
