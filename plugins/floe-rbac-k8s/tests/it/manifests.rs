//! The manifests parsed back from YAML into the Kubernetes `OpenAPI` types, and least
//! privilege: no wildcard, no privileged verb, Secrets only by name, no mounted token
//! unless asked, every namespace labelled with its Pod Security Standards level.
#![expect(clippy::unwrap_used, reason = "test helpers: a failed step fails the test")]

use floe_core::plugin::categories::Rbac as _;
use floe_core::plugin::{PluginCategory, PluginErrorKind, ResolvedConfig, find};
use k8s_openapi::api::core::v1::{Namespace, PodSecurityContext, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use proptest::prelude::*;
use serde_json::json;

use crate::{platform_config, plugin};

/// The documents of `config`, written as YAML and parsed back.
fn documents(config: serde_json::Value) -> Vec<serde_json::Value> {
    let yaml = plugin(config).rbac_manifests().unwrap().to_yaml().unwrap();
    serde_saphyr::from_multiple(&yaml).unwrap()
}

fn of_kind<T: serde::de::DeserializeOwned>(all: &[serde_json::Value], kind: &str) -> Vec<T> {
    all.iter()
        .filter(|d| d["kind"] == kind)
        .map(|d| {
            serde_json::from_value(d.clone()).unwrap_or_else(|e| panic!("not a valid {kind}: {e}"))
        })
        .collect()
}

#[test]
fn every_document_is_a_valid_kubernetes_object_in_a_stable_order() {
    let all = documents(platform_config());

    let kinds: Vec<&str> = all.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["Namespace", "Namespace", "ServiceAccount", "Role", "RoleBinding", "ServiceAccount"]
    );
    for document in &all {
        let api = document["apiVersion"].as_str().unwrap();
        assert!(api == "v1" || api == "rbac.authorization.k8s.io/v1", "{api}");
        assert_eq!(document["metadata"]["labels"]["app.kubernetes.io/managed-by"], "floe");
    }
    assert_eq!(of_kind::<Namespace>(&all, "Namespace").len(), 2);
    assert_eq!(of_kind::<ServiceAccount>(&all, "ServiceAccount").len(), 2);
    assert_eq!(of_kind::<Role>(&all, "Role").len(), 1);
    assert_eq!(of_kind::<RoleBinding>(&all, "RoleBinding").len(), 1);
}

#[test]
fn namespaces_carry_their_pod_security_level() {
    let namespaces: Vec<Namespace> = of_kind(&documents(platform_config()), "Namespace");

    let level = |n: &Namespace| {
        n.metadata.labels.as_ref().unwrap()["pod-security.kubernetes.io/enforce"].clone()
    };
    assert_eq!(level(&namespaces[0]), "restricted", "the default");
    assert_eq!(level(&namespaces[1]), "baseline");
    assert_eq!(
        namespaces[1].metadata.labels.as_ref().unwrap()["pod-security.kubernetes.io/warn-version"],
        "latest"
    );
}

#[test]
fn roles_hold_exactly_the_configured_rules_and_secrets_only_by_name() {
    let all = documents(platform_config());
    let role = &of_kind::<Role>(&all, "Role")[0];

    assert_eq!(role.metadata.namespace.as_deref(), Some("floe-jobs"));
    let rules = role.rules.clone().unwrap();
    assert_eq!(rules.len(), 3);
    let secrets = &rules[2];
    assert_eq!(secrets.resources, Some(vec!["secrets".to_owned()]));
    assert_eq!(secrets.resource_names, Some(vec!["warehouse-credentials".to_owned()]));
    assert_eq!(secrets.verbs, ["get"]);
    for rule in &rules {
        assert!(!rule.verbs.iter().any(|v| v.contains('*')));
        assert!(!rule.resources.clone().unwrap().iter().any(|r| r.contains('*')));
    }
}

#[test]
fn each_binding_ties_its_role_to_its_account_only() {
    let all = documents(platform_config());
    let binding = &of_kind::<RoleBinding>(&all, "RoleBinding")[0];

    assert_eq!(binding.role_ref.kind, "Role");
    assert_eq!(binding.role_ref.name, "job-runner-role");
    assert_eq!(binding.role_ref.api_group, "rbac.authorization.k8s.io");
    let subjects = binding.subjects.clone().unwrap();
    assert_eq!(subjects.len(), 1);
    assert_eq!(
        (subjects[0].kind.as_str(), subjects[0].name.as_str()),
        ("ServiceAccount", "job-runner")
    );
    assert_eq!(subjects[0].namespace.as_deref(), Some("floe-jobs"));
}

#[test]
fn service_account_tokens_are_not_mounted_unless_asked() {
    let mut config = platform_config();
    config["service_accounts"][1]["automount_token"] = json!(true);

    let accounts: Vec<ServiceAccount> = of_kind(&documents(config), "ServiceAccount");

    assert_eq!(accounts[0].automount_service_account_token, Some(false));
    assert_eq!(accounts[1].automount_service_account_token, Some(true));
}

/// Asserts that `config` is refused with `expected` in the message, both when generating
/// and when the registered plugin is built from a manifest, which names the key as
/// `plugins.rbac.config.<key>`.
#[track_caller]
fn assert_refused(config: &serde_json::Value, expected: &str, key: &str) {
    let error = plugin(config.clone()).rbac_manifests().unwrap_err().to_string();
    assert!(error.contains(expected), "{error} should contain {expected}");

    let descriptor = find(PluginCategory::Rbac, "k8s").expect("registered");
    let built =
        (descriptor.construct)(&ResolvedConfig::literal("plugins.rbac.config", config.clone()));
    let refused = built.map(|_| ()).unwrap_err();
    assert_eq!(refused.kind, PluginErrorKind::Config);
    assert_eq!(refused.to_string(), format!("plugin rbac/k8s: plugins.rbac.config.{key}: {error}"));
}

#[test]
fn wildcards_privileged_verbs_and_unscoped_secrets_need_the_explicit_flag() {
    let rule = |rule: serde_json::Value| {
        let mut config = platform_config();
        config["service_accounts"][0]["rules"] = json!([rule]);
        config
    };
    let at = "service_accounts[0].rules[0]";
    let cases = [
        (
            rule(json!({ "api_groups": ["*"], "resources": ["pods"], "verbs": ["get"] })),
            "rule 0 of floe-jobs/job-runner uses * in its api_groups",
            format!("{at}.api_groups"),
        ),
        (
            rule(json!({ "api_groups": [""], "resources": ["*"], "verbs": ["get"] })),
            "uses * in its resources",
            format!("{at}.resources"),
        ),
        (
            rule(json!({ "api_groups": [""], "resources": ["pods"], "verbs": ["g*t"] })),
            "uses * in its verbs",
            format!("{at}.verbs"),
        ),
        (
            rule(
                json!({ "api_groups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["get", "escalate"] }),
            ),
            "rule 0 of floe-jobs/job-runner uses verb escalate",
            format!("{at}.verbs"),
        ),
        (
            rule(json!({ "api_groups": [""], "resources": ["secrets"], "verbs": ["list"] })),
            "rule 0 of floe-jobs/job-runner grants secrets without resource names",
            at.to_owned(),
        ),
        (
            rule(json!({ "api_groups": [""], "resources": ["pods/exec"], "verbs": ["create"] })),
            "rule 0 of floe-jobs/job-runner grants create on pods/exec",
            at.to_owned(),
        ),
    ];
    for (config, expected, key) in cases {
        assert_refused(&config, expected, &key);
        let mut allowed = config;
        allowed["allow_wildcards"] = json!(true);
        assert!(plugin(allowed).rbac_manifests().is_ok(), "allow_wildcards permits: {expected}");
    }
}

#[test]
fn an_empty_rule_is_refused_even_with_every_flag() {
    for field in ["verbs", "resources", "api_groups"] {
        let mut rule = json!({ "api_groups": [""], "resources": ["pods"], "verbs": ["get"], "allow_privileged": true });
        rule[field] = json!([]);
        let mut config = platform_config();
        config["service_accounts"][0]["rules"][1] = rule;
        config["allow_wildcards"] = json!(true);

        assert_refused(
            &config,
            "rule 1 of floe-jobs/job-runner needs at least one verb, resource and API group",
            "service_accounts[0].rules[1]",
        );
    }
}

#[test]
fn names_namespaces_and_ids_are_checked_naming_the_key() {
    let with = |path: &[&str], value: serde_json::Value| {
        let mut config = platform_config();
        let mut target = &mut config;
        for key in path {
            target = match key.parse::<usize>() {
                Ok(index) => &mut target[index],
                Err(_) => &mut target[*key],
            };
        }
        *target = value;
        config
    };
    let cases = [
        (
            with(&["namespaces", "0", "name"], json!("Floe")),
            "namespace \"Floe\" is not a DNS-1123 label",
            "namespaces[0].name",
        ),
        (
            with(&["namespaces", "1", "name"], json!("floe-platform")),
            "namespace floe-platform is defined twice",
            "namespaces[1].name",
        ),
        (
            with(&["service_accounts", "0", "namespace"], json!("other")),
            "service account other/job-runner is in namespace other, which is not one of the configured namespaces",
            "service_accounts[0].namespace",
        ),
        (
            with(&["service_accounts", "1", "name"], json!("job_runner")),
            "service account \"job_runner\" is not a DNS-1123 label",
            "service_accounts[1].name",
        ),
        (
            with(
                &["service_accounts", "1"],
                json!({ "name": "job-runner", "namespace": "floe-jobs" }),
            ),
            "service account floe-jobs/job-runner is defined twice",
            "service_accounts[1].name",
        ),
        (
            with(&["service_accounts", "0", "secrets"], json!(["ok", "Bad Secret"])),
            "secret \"Bad Secret\" is not a DNS-1123 label",
            "service_accounts[0].secrets[1]",
        ),
        (
            with(&["run_as_user"], json!(0)),
            "run_as_user must be a non-root id (1 or more), got 0",
            "run_as_user",
        ),
        (with(&["run_as_group"], json!(-1)), "run_as_group must be a non-root id", "run_as_group"),
        (with(&["fs_group"], json!(0)), "fs_group must be a non-root id", "fs_group"),
    ];
    for (config, expected, key) in cases {
        assert_refused(&config, expected, key);
    }
}

#[test]
fn unknown_config_keys_are_refused_by_the_registered_plugin() {
    let descriptor = find(PluginCategory::Rbac, "k8s").expect("registered");
    let mut config = platform_config();
    config["cluster_admin"] = json!(true);

    let error = (descriptor.construct)(&ResolvedConfig::literal("plugins.rbac.config", config))
        .unwrap_err();

    assert!(error.to_string().contains("cluster_admin"), "{error}");
}

#[test]
fn the_pod_security_context_is_a_valid_restricted_context() {
    let mut config = platform_config();
    config["run_as_user"] = json!(2001);

    let context: PodSecurityContext =
        serde_json::from_value(plugin(config).pod_security_context()).unwrap();

    assert_eq!((context.run_as_non_root, context.run_as_user), (Some(true), Some(2001)));
    assert_eq!(context.seccomp_profile.unwrap().type_, "RuntimeDefault");
}

fn verb() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "get",
            "list",
            "watch",
            "create",
            "update",
            "patch",
            "delete",
            "deletecollection"
        ])
        .prop_map(str::to_owned),
        proptest::sample::select(vec!["*", "escalate", "bind", "impersonate", "g*t"])
            .prop_map(str::to_owned),
    ]
}

proptest! {
    #[test]
    fn no_generated_role_grants_more_than_object_access_without_the_flags(
        verbs in proptest::collection::vec(verb(), 1..4),
        resource in proptest::sample::select(vec!["pods", "configmaps", "*", "secrets", "pods/exec", "serviceaccounts/token", "jobs"]),
        group in proptest::sample::select(vec!["", "batch"]),
        allow in any::<bool>(),
    ) {
        let mut config = platform_config();
        config["allow_wildcards"] = json!(allow);
        config["service_accounts"][0]["rules"] = json!([{ "api_groups": [group], "resources": [resource], "verbs": verbs }]);
        let outcome = plugin(config).rbac_manifests();
        if allow {
            prop_assert!(outcome.is_ok());
        } else if let Ok(manifests) = outcome {
            for document in manifests.documents.iter().filter(|d| d["kind"] == "Role") {
                let role: Role = serde_json::from_value(document.clone()).unwrap();
                for rule in role.rules.unwrap() {
                    let object_verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
                    prop_assert!(rule.verbs.iter().all(|v| object_verbs.contains(&v.as_str())));
                    let resources = rule.resources.unwrap();
                    prop_assert!(!resources.iter().any(|r| r.contains('*')));
                    let groups = rule.api_groups.unwrap_or_default();
                    let core_secrets = groups.contains(&String::new()) && resources.contains(&"secrets".to_owned());
                    prop_assert!(!core_secrets || rule.resource_names.is_some());
                    let changes = rule.verbs.iter().any(|v| ["create", "update", "patch"].contains(&v.as_str()));
                    let privileged = resources.iter().any(|r| {
                        (groups.contains(&String::new())
                            && (r == "pods/exec" || r == "serviceaccounts/token" || (r == "pods" && changes)))
                            || (groups.contains(&"batch".to_owned()) && r == "jobs" && changes)
                    });
                    prop_assert!(!privileged, "{:?} on {:?} of {:?}", rule.verbs, resources, groups);
                }
            }
        }
    }
}
