//! Least privilege beyond verbs: grants that let a role's holder run code or act as
//! another account of the namespace (exec, attach, port-forward and proxy into pods,
//! ephemeral containers, service account tokens, creating or changing pods and the
//! workloads that make them) are refused, naming the rule and the resource, unless the
//! rule says `allow_privileged: true`.

use floe_core::plugin::categories::Rbac as _;
use floe_rbac_k8s::RbacError;
use serde_json::json;

use crate::{platform_config, plugin};

/// The platform config with job-runner's rules replaced by a harmless rule 0 and `rule`.
fn with_second_rule(rule: &serde_json::Value) -> serde_json::Value {
    let mut config = platform_config();
    config["service_accounts"][0]["rules"] = json!([
        { "api_groups": [""], "resources": ["configmaps"], "verbs": ["get"] },
        rule,
    ]);
    config
}

/// `(api group, resource, verb)` grants that each let the holder act as someone else.
const PRIVILEGED: [(&str, &str, &str); 15] = [
    ("", "pods/exec", "create"),
    ("", "pods/exec", "get"),
    ("", "pods/attach", "create"),
    ("", "pods/portforward", "create"),
    ("", "pods/proxy", "get"),
    ("", "pods/ephemeralcontainers", "patch"),
    ("", "serviceaccounts/token", "create"),
    ("", "pods", "create"),
    ("", "pods", "patch"),
    ("", "replicationcontrollers", "create"),
    ("apps", "deployments", "create"),
    ("apps", "statefulsets", "update"),
    ("apps", "daemonsets", "create"),
    ("apps", "replicasets", "patch"),
    ("batch", "cronjobs", "create"),
];

#[test]
fn grants_that_run_code_as_another_account_are_refused_naming_the_rule_and_resource() {
    for (group, resource, verb) in PRIVILEGED {
        let mut grant =
            json!({ "api_groups": [group], "resources": [resource], "verbs": [verb, "list"] });

        let error = plugin(with_second_rule(&grant)).rbac_manifests().unwrap_err();

        let expected = format!("rule 1 of floe-jobs/job-runner grants {verb} on {resource}");
        assert!(error.to_string().starts_with(&expected), "{error} should start with {expected}");
        assert!(error.to_string().contains("allow_privileged: true"), "{error} names the opt-in");
        assert!(
            matches!(&error, RbacError::PrivilegedResource { account, rule: 1, resource: r, verb: v }
                if account == "floe-jobs/job-runner" && r == resource && v == verb),
            "{error:?}"
        );
        grant["allow_privileged"] = json!(true);
        let allowed = plugin(with_second_rule(&grant)).rbac_manifests().unwrap();
        let role = allowed.documents.iter().find(|d| d["kind"] == "Role").unwrap();
        assert_eq!(role["rules"][1]["resources"], json!([resource]), "the flag grants it as asked");
    }
}

#[test]
fn the_flag_on_one_rule_opens_nothing_for_another() {
    let mut config = with_second_rule(
        &json!({ "api_groups": ["batch"], "resources": ["jobs"], "verbs": ["create"], "allow_privileged": true }),
    );
    config["service_accounts"][0]["rules"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "api_groups": [""], "resources": ["pods/exec"], "verbs": ["create"] }));

    let error = plugin(config).rbac_manifests().unwrap_err();

    assert!(matches!(error, RbacError::PrivilegedResource { rule: 2, .. }), "{error:?}");
}

#[test]
fn jobs_are_refused_too_when_the_rule_lists_several_groups_and_resources() {
    let rule = json!({
        "api_groups": ["", "batch"], "resources": ["configmaps", "jobs"], "verbs": ["get", "create"],
    });

    let error = plugin(with_second_rule(&rule)).rbac_manifests().unwrap_err();

    assert!(
        error.to_string().starts_with("rule 1 of floe-jobs/job-runner grants create on jobs"),
        "{error}"
    );
}

#[test]
fn reading_pods_and_changing_what_runs_no_pod_stay_allowed_without_the_flag() {
    let allowed = [
        json!({ "api_groups": [""], "resources": ["pods", "pods/log", "pods/status"], "verbs": ["get", "list", "watch"] }),
        json!({ "api_groups": ["batch"], "resources": ["jobs", "cronjobs"], "verbs": ["get", "list", "delete"] }),
        json!({ "api_groups": ["apps"], "resources": ["deployments/scale"], "verbs": ["patch", "update"] }),
        json!({ "api_groups": [""], "resources": ["configmaps", "services"], "verbs": ["create", "patch"] }),
        // A custom resource that happens to be called `jobs` runs no pod by itself.
        json!({ "api_groups": ["example.com"], "resources": ["jobs"], "verbs": ["create"] }),
    ];
    for rule in allowed {
        let outcome = plugin(with_second_rule(&rule)).rbac_manifests();
        assert!(outcome.is_ok(), "{rule} is least privilege: {:?}", outcome.err());
    }
}
