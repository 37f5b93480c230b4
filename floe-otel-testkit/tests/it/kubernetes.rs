//! The Kubernetes schema judge: it reads every verdict shape of the real validator, one
//! verdict per document and in order, from one run per batch.

use floe_otel_testkit::kubernetes::{
    KubernetesSchemas, NamedSchema, STATUS, Verdict, pod_with_security_contexts,
};
use serde_json::json;

fn schemas() -> KubernetesSchemas {
    KubernetesSchemas::installed().expect("scripts/setup validators installs kubernetes-validate")
}

fn role(verbs: &serde_json::Value) -> serde_json::Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": { "name": "reader", "namespace": "floe" },
        "rules": [{ "apiGroups": [""], "resources": ["pods"], "verbs": verbs }],
    })
}

#[test]
fn a_batch_gets_one_verdict_per_document_in_order() {
    let documents = [
        role(&json!(["get"])),
        role(&json!("get")),
        json!({ "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": { "name": "deny" }, "spec": { "podSelector": "all" } }),
        json!({ "apiVersion": "example.com/v9", "kind": "Widget", "metadata": { "name": "w" } }),
        json!({ "metadata": { "name": "no-kind" } }),
    ];

    let verdicts = schemas().judge_json(&documents).unwrap();

    assert_eq!(verdicts.len(), 5);
    assert_eq!(verdicts[0], Verdict::Valid { resource: "role/reader".to_owned() });
    assert_eq!(
        verdicts[1],
        Verdict::Invalid {
            resource: "role/reader".to_owned(),
            path: "rules.0.verbs".to_owned(),
            message: "'get' is not of type 'array'".to_owned(),
        }
    );
    assert!(
        matches!(&verdicts[2], Verdict::Invalid { path, message, .. }
            if path == "spec.podSelector" && message.starts_with("'all' is not of type 'object'")),
        "{}",
        verdicts[2]
    );
    assert!(
        matches!(&verdicts[3], Verdict::Unjudged { reason } if reason.contains("kind Widget")),
        "a kind without a schema is not a pass: {}",
        verdicts[3]
    );
    assert!(matches!(&verdicts[4], Verdict::Unjudged { .. }), "{}", verdicts[4]);
}

#[test]
fn unknown_fields_are_refused_and_security_contexts_are_judged_inside_a_pod() {
    // `readOnlyRootFilesystem` belongs to a container's security context, not the pod's.
    let misplaced = json!({ "runAsNonRoot": true, "readOnlyRootFilesystem": true });
    let fine = json!({ "runAsNonRoot": true, "capabilities": { "drop": ["ALL"] } });

    let verdicts = schemas()
        .judge_json(&[
            pod_with_security_contexts(&json!({ "runAsNonRoot": true }), &fine),
            pod_with_security_contexts(&misplaced, &json!({})),
        ])
        .unwrap();

    assert!(verdicts[0].is_valid(), "{}", verdicts[0]);
    assert!(
        matches!(&verdicts[1], Verdict::Invalid { path, message, .. }
            if path == "spec.securityContext" && message.contains("'readOnlyRootFilesystem' was unexpected")),
        "{}",
        verdicts[1]
    );
}

#[test]
fn yaml_texts_are_judged_as_written_and_each_must_hold_one_document() {
    let one = "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner\nautomountServiceAccountToken: \"no\"\n";
    let two = "apiVersion: v1\nkind: Namespace\nmetadata: { name: a }\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: b }\n";

    let verdicts = schemas().judge_yaml(&[one]).unwrap();
    let error = schemas().judge_yaml(&[two]).unwrap_err().to_string();

    assert!(
        matches!(&verdicts[0], Verdict::Invalid { path, message, .. }
            if path == "automountServiceAccountToken" && message.starts_with("'no' is not of type 'boolean'")),
        "{}",
        verdicts[0]
    );
    assert!(error.contains("2 verdicts for doc-00000.yaml"), "{error}");
}

#[test]
fn assert_valid_lists_every_refused_document() {
    let schemas = schemas();
    schemas.assert_valid_json(&[role(&json!(["get", "list"]))]);

    let refused = std::panic::catch_unwind(|| {
        schemas.assert_valid_json(&[role(&json!(["get"])), role(&json!(7))]);
    })
    .unwrap_err();

    let message = refused.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("1 of 2 documents do not validate"), "{message}");
    assert!(message.contains("document 1: role/reader: refused at \"rules.0.verbs\""), "{message}");
}

fn status(fields: &serde_json::Value) -> serde_json::Value {
    let mut status =
        json!({ "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure" });
    for (key, value) in fields.as_object().expect("the fields are an object") {
        status[key] = value.clone();
    }
    status
}

fn refused_at(verdict: &Verdict, at: &str, says: &str) -> bool {
    matches!(verdict, Verdict::Invalid { path, message, .. } if path == at && message.contains(says))
}

#[test]
fn a_status_is_judged_by_its_named_schema_and_an_invalid_one_is_refused() {
    let statuses = [
        status(
            &json!({ "reason": "NotFound", "message": "secrets \"db\" not found", "code": 404 }),
        ),
        status(&json!({ "code": "404" })),
        status(&json!({ "reasons": "NotFound" })),
        status(&json!({ "kind": "Secret" })),
        status(&json!({ "details": { "name": "db", "kind": "secrets", "causes": "none" } })),
    ];
    let named: Vec<_> = statuses.iter().map(|s| (NamedSchema::object(STATUS), s.clone())).collect();

    let by_kind = schemas().judge_json(&statuses[..1]).unwrap();
    let verdicts = schemas().judge_named(&named).unwrap();

    assert!(
        matches!(&by_kind[0], Verdict::Unjudged { reason } if reason.contains("kind Status")),
        "the validator cannot select a Status by kind, hence the named judge: {}",
        by_kind[0]
    );
    assert_eq!(verdicts[0], Verdict::Valid { resource: "status".to_owned() });
    assert!(refused_at(&verdicts[1], "code", "'404' is not of type 'integer'"), "{}", verdicts[1]);
    assert!(refused_at(&verdicts[2], "", "'reasons' was unexpected"), "{}", verdicts[2]);
    assert!(
        refused_at(&verdicts[3], "kind", "'Secret' is not one of ['Status']"),
        "{}",
        verdicts[3]
    );
    assert!(refused_at(&verdicts[4], "details.causes", "not of type 'array'"), "{}", verdicts[4]);
}

#[test]
fn a_merge_patch_is_a_partial_object_with_members_typed_and_arrays_whole() {
    let secret = || NamedSchema::merge_patch("io.k8s.api.core.v1.Secret");
    let patches = [
        json!({ "data": { "password": "cA==", "old": null } }),
        json!({ "metadata": { "labels": null }, "immutable": null }),
        json!({ "data": "cA==" }),
        json!({ "stringdata": { "password": "p" } }),
        json!({ "metadata": { "labels": { "tier": 3 } } }),
        json!({ "metadata": { "ownerReferences": [{ "name": "owner" }] } }),
    ];
    let named: Vec<_> = patches.iter().map(|p| (secret(), p.clone())).collect();

    let verdicts = schemas().judge_named(&named).unwrap();
    let whole = schemas()
        .judge_named(&[(NamedSchema::object("io.k8s.api.core.v1.Secret"), patches[0].clone())])
        .unwrap();

    assert!(verdicts[0].is_valid(), "a partial Secret, a null removing a key: {}", verdicts[0]);
    assert!(verdicts[1].is_valid(), "null removes any member: {}", verdicts[1]);
    assert!(refused_at(&verdicts[2], "data", "not of type 'object'"), "{}", verdicts[2]);
    assert!(refused_at(&verdicts[3], "", "'stringdata' was unexpected"), "{}", verdicts[3]);
    assert!(
        refused_at(&verdicts[4], "metadata.labels.tier", "3 is not of type 'string'"),
        "{}",
        verdicts[4]
    );
    assert!(
        refused_at(
            &verdicts[5],
            "metadata.ownerReferences.0",
            "'apiVersion' is a required property"
        ),
        "an array is replaced whole, so its items keep their required members: {}",
        verdicts[5]
    );
    assert!(whole[0].is_valid(), "no member of a Secret is required: {}", whole[0]);
    assert_eq!(verdicts[0], Verdict::Valid { resource: "secret merge patch".to_owned() });
}

#[test]
fn an_unknown_definition_is_unjudged_and_never_passes() {
    let schemas = schemas();
    let document = (NamedSchema::object("io.k8s.api.core.v1.Widget"), json!({}));

    let verdicts = schemas.judge_named(std::slice::from_ref(&document)).unwrap();
    let refused = std::panic::catch_unwind(|| schemas.assert_valid_named(&[document])).unwrap_err();

    assert!(
        matches!(&verdicts[0], Verdict::Unjudged { reason } if reason.contains("io.k8s.api.core.v1.Widget")),
        "{}",
        verdicts[0]
    );
    let message = refused.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("not judged: no definition io.k8s.api.core.v1.Widget"), "{message}");
}
