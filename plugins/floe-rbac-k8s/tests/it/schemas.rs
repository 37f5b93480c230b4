//! Every document the plugin generates, judged by the Kubernetes 1.33 JSON schemas with
//! `kubernetes-validate` (strict: unknown fields refused), as the YAML `kubectl apply`
//! reads; and broken documents refused by the same judge, so the check is known to run.
#![expect(clippy::unwrap_used, reason = "test helpers: a failed step fails the test")]

use floe_core::plugin::categories::{GeneratedManifests, Rbac as _};
use floe_otel_testkit::kubernetes::{KubernetesSchemas, Verdict, pod_with_security_contexts};
use serde_json::json;

use crate::{platform_config, plugin};

fn schemas() -> KubernetesSchemas {
    KubernetesSchemas::installed().expect("scripts/setup validators installs kubernetes-validate")
}

/// Every level, a mounted token, name-scoped rules, flagged rules, an account whose role
/// holds only its Secrets, and one whose role holds wildcards.
fn every_shape_config() -> serde_json::Value {
    json!({
        "namespaces": [
            { "name": "floe-platform", "pss_level": "privileged" },
            { "name": "floe-jobs", "pss_level": "baseline" },
            { "name": "floe-tools" },
        ],
        "allow_wildcards": true,
        "run_as_user": 4242, "run_as_group": 4343, "fs_group": 4444,
        "service_accounts": [
            { "name": "reader", "namespace": "floe-tools", "automount_token": true, "secrets": ["a", "b"] },
            {
                "name": "operator", "namespace": "floe-platform",
                "rules": [
                    { "api_groups": ["*"], "resources": ["*"], "verbs": ["*"] },
                    { "api_groups": [""], "resources": ["configmaps"], "verbs": ["get"], "resource_names": ["settings"] },
                    { "api_groups": [""], "resources": ["pods/exec"], "verbs": ["create"], "allow_privileged": true },
                ],
            },
        ],
    })
}

/// Each document of `manifests` as the YAML `to_yaml` writes for it.
fn yaml_documents(manifests: &GeneratedManifests) -> Vec<String> {
    manifests
        .documents
        .iter()
        .map(|d| GeneratedManifests { documents: vec![d.clone()] }.to_yaml().unwrap())
        .collect()
}

#[test]
fn every_generated_document_validates_against_the_kubernetes_schemas() {
    let mut documents = Vec::new();
    let mut contexts = Vec::new();
    for config in [platform_config(), every_shape_config()] {
        let plugin = plugin(config);
        documents.extend(yaml_documents(&plugin.rbac_manifests().unwrap()));
        let pod = pod_with_security_contexts(&plugin.pod_security_context(), &json!({}));
        contexts.push(serde_json::to_string_pretty(&pod).unwrap());
    }
    assert_eq!(documents.len(), 6 + 9, "both configs' documents are judged");
    documents.extend(contexts);

    schemas().assert_valid_yaml(&documents);
}

#[test]
fn broken_documents_are_refused_by_the_schemas_proving_the_check_runs() {
    let manifests = plugin(platform_config()).rbac_manifests().unwrap();
    let of_kind = |kind: &str| manifests.documents.iter().find(|d| d["kind"] == kind).unwrap();
    let mut role = of_kind("Role").clone();
    role["rules"][0]["verbs"] = json!("get");
    let mut binding = of_kind("RoleBinding").clone();
    binding.as_object_mut().unwrap().remove("roleRef");
    let mut account = of_kind("ServiceAccount").clone();
    account["automountToken"] = json!(false);

    let verdicts = schemas().judge_json(&[role, binding, account]).unwrap();

    let refused: Vec<(&str, &str)> = verdicts
        .iter()
        .map(|v| match v {
            Verdict::Invalid { path, message, .. } => (path.as_str(), message.as_str()),
            other => panic!("not refused: {other}"),
        })
        .collect();
    assert!(
        refused[0].0 == "rules.0.verbs" && refused[0].1.starts_with("'get' is not of type 'array'")
    );
    assert_eq!(refused[1], ("", "'roleRef' is a required property"));
    assert!(refused[2].1.contains("'automountToken' was unexpected"), "{}", refused[2].1);
}

#[test]
fn the_enums_the_schemas_leave_open_hold_kubernetes_values() {
    let mut documents = plugin(platform_config()).rbac_manifests().unwrap().documents;
    documents.extend(plugin(every_shape_config()).rbac_manifests().unwrap().documents);

    let bindings: Vec<&serde_json::Value> =
        documents.iter().filter(|d| d["kind"] == "RoleBinding").collect();
    assert_eq!(bindings.len(), 3);
    for binding in bindings {
        // The API server accepts only these; the JSON schema types them as any string.
        assert!(["Role", "ClusterRole"].contains(&binding["roleRef"]["kind"].as_str().unwrap()));
        assert_eq!(binding["roleRef"]["apiGroup"], "rbac.authorization.k8s.io");
        for subject in binding["subjects"].as_array().unwrap() {
            let kind = subject["kind"].as_str().unwrap();
            assert!(["User", "Group", "ServiceAccount"].contains(&kind), "{kind}");
            assert!(subject.get("apiGroup").is_none(), "a ServiceAccount subject has no apiGroup");
        }
    }
}
