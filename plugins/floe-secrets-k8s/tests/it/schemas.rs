//! Every body the loopback API server and the plugin exchange is judged against the
//! Kubernetes 1.33 schemas (`floe_otel_testkit::kubernetes`): what the plugin sends (a
//! Secret to create, a merge patch of one) and every answer (`Secret`, `SecretList`, the
//! `Status` of each failure, the discovery document). A body of a kind with no schema is
//! unjudged, and an unjudged body fails the test like an invalid one.

use base64::Engine as _;
use floe_core::http::{Peer, PeerAnswer, PeerRequest, RetryEvents};
use floe_core::plugin::categories::SecretsProvider as _;
use floe_core::secret::Secret;
use floe_core::telemetry::attr;
use floe_otel_testkit::http::RecordedAnswer;
use floe_otel_testkit::kubernetes::{KubernetesSchemas, NamedSchema, Reading, STATUS, Verdict};
use serde_json::{Value, json};

use crate::peer::{FORBIDDEN_NAMESPACE, KubeApi, NAMESPACE};
use crate::{plugin, plugin_for};

const SECRET: &str = "io.k8s.api.core.v1.Secret";
const MERGE_PATCH: &str = "application/merge-patch+json";

fn schemas() -> KubernetesSchemas {
    KubernetesSchemas::installed().expect("scripts/setup validators installs kubernetes-validate")
}

/// The definition an answer is judged by: the one of its `kind`, or one that does not
/// exist (so the verdict is `Unjudged` and the test fails).
fn schema_of(body: &Value) -> NamedSchema {
    NamedSchema::object(match body["kind"].as_str() {
        Some("Secret") => SECRET.to_owned(),
        Some("SecretList") => "io.k8s.api.core.v1.SecretList".to_owned(),
        Some("Status") => STATUS.to_owned(),
        Some("APIVersions") => "io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions".to_owned(),
        other => format!("no definition for kind {other:?}"),
    })
}

/// Sends `request` with the server's own token, from a client of the test's: for the
/// requests the plugin never sends.
async fn send_raw(api: &KubeApi, request: PeerRequest) -> PeerAnswer {
    let events = RetryEvents::new(attr::SECRETS_RETRY_EVENT, attr::SECRETS_ATTEMPT);
    let builder = Peer::builder(&api.url(), false, events).expect("a loopback URL");
    let peer = builder.build().expect("a client without a CA bundle");
    let token = Secret::new(api.token().to_owned());
    peer.send(request.accept_json().bearer(&token)).await.expect("the server answers")
}

/// The documents judged by `definition` read as `reading`.
fn judged<'a>(
    documents: &'a [(NamedSchema, Value)],
    definition: &'a str,
    reading: Reading,
) -> impl Iterator<Item = &'a (NamedSchema, Value)> {
    documents.iter().filter(move |(s, _)| s.definition() == definition && s.reading() == reading)
}

fn json_answer(answer: &RecordedAnswer) -> Value {
    assert_eq!(answer.content_type, "application/json", "{} {}", answer.method, answer.path);
    serde_json::from_slice(&answer.body).unwrap_or_else(|e| {
        panic!("{} {} answered a body that is not JSON: {e}", answer.method, answer.path)
    })
}

/// Drives every answer the plugin can get: each operation's success and each refusal.
#[expect(clippy::unwrap_used, reason = "test driver: a call that fails must fail the test")]
async fn drive_the_plugin(api: &KubeApi) {
    let plugin = plugin(api);
    api.insert_labelled("db", &[("user", "floe"), ("password", "p")], &[("team", "data")]);
    api.insert_labelled("cache", &[("url", "redis://cache")], &[("team", "data")]);
    api.page_size(1);
    let value = Secret::new("v".to_owned());
    assert!(plugin.get_secret("db/password").await.unwrap().is_some());
    assert!(plugin.get_secret("nothing/here").await.unwrap().is_none());
    plugin.set_secret("db/password", &value).await.unwrap();
    plugin.set_secret("new/key", &value).await.unwrap();
    api.conflict_on_next_create();
    plugin.set_secret("race/key", &value).await.unwrap();
    assert!(plugin.delete_secret("db/user").await.unwrap());
    assert!(plugin.delete_secret("cache").await.unwrap());
    assert!(!plugin.delete_secret("cache").await.unwrap());
    assert_eq!(plugin.list_secrets(None).await.unwrap().len(), 3);
    api.throttle(1);
    assert!(plugin.get_multi("db").await.is_ok());
    api.echo_refused_tokens();
    plugin_for(api, NAMESPACE, "not-the-token").get_secret("db/password").await.unwrap_err();
    plugin_for(api, FORBIDDEN_NAMESPACE, api.token()).list_secrets(None).await.unwrap_err();
    api.answer_discovery_everywhere();
    plugin.get_secret("db/password").await.unwrap_err();
    api.refuse_quoting_proxy_token("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm94eSJ9.c2lnbmF0dXJl");
    plugin.get_secret("db/password").await.unwrap_err();
}

/// The refusals only a request the plugin never sends gets: 400, 415 and 422.
async fn drive_the_refusals(api: &KubeApi) {
    api.insert("db", &[("user", "floe")]);
    let path = "/api/v1/namespaces/floe-test/secrets";
    let not_json = PeerRequest::patch(format!("{path}/db")).body(MERGE_PATCH, b"{".to_vec());
    let plain_json = PeerRequest::patch(format!("{path}/db")).json(&json!({ "data": {} }));
    let not_base64 = PeerRequest::post(path).json(&json!({
        "apiVersion": "v1", "kind": "Secret", "metadata": { "name": "x" }, "data": { "k": "%%" },
    }));
    for (request, code) in [(not_json, 400), (plain_json, 415), (not_base64, 422)] {
        assert_eq!(send_raw(api, request).await.status(), code);
    }
}

#[tokio::test]
async fn every_body_the_plugin_and_the_server_exchange_validates_against_the_schemas() {
    let (api, refusing) = (KubeApi::start("the-token"), KubeApi::start("the-token"));
    drive_the_plugin(&api).await;
    drive_the_refusals(&refusing).await;

    let mut documents: Vec<(NamedSchema, Value)> = Vec::new();
    for request in api.requests().iter().filter(|r| !r.body.is_empty()) {
        let schema = match (request.method.as_str(), request.header("content-type")) {
            ("POST", Some("application/json")) => NamedSchema::object(SECRET),
            ("PATCH", Some(MERGE_PATCH)) => NamedSchema::merge_patch(SECRET),
            (method, content_type) => panic!("the plugin sent {method} {content_type:?}"),
        };
        documents.push((schema, request.json()));
    }
    let answers: Vec<RecordedAnswer> = [api.answers(), refusing.answers()].concat();
    let mut codes: Vec<u16> = answers.iter().map(|a| a.status).collect();
    for answer in &answers {
        let body = json_answer(answer);
        documents.push((schema_of(&body), body));
    }

    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes, [200, 201, 400, 401, 403, 404, 409, 415, 422, 429], "every answer path");
    assert_eq!(
        judged(&documents, SECRET, Reading::MergePatch).count(),
        5,
        "three writes, one after a lost race, and a key delete"
    );
    assert!(
        judged(&documents, SECRET, Reading::MergePatch).any(|(_, p)| p["data"]["user"].is_null())
    );
    assert_eq!(
        judged(&documents, SECRET, Reading::Object).filter(|(_, d)| d["type"] == "Opaque").count(),
        8,
        "two creates sent, six Secrets answered"
    );
    assert_eq!(
        judged(&documents, STATUS, Reading::Object).count(),
        13,
        "a Status for each of the twelve refusals and the delete"
    );
    schemas().assert_valid_named(&documents);
}

#[tokio::test]
async fn a_secret_whose_data_is_not_a_map_was_accepted_and_is_now_refused_like_the_schema_does() {
    // The old loopback ignored a merge patch whose `data` is not a map (200, nothing
    // changed) and created a Secret whose `data` is a string (201): the schemas refuse
    // both bodies, and so does the loopback now, as the API server does (422).
    let api = KubeApi::start("the-token");
    api.insert("db", &[("user", "floe")]);
    let before = api.stored("db");
    let path = "/api/v1/namespaces/floe-test/secrets";
    let change = json!({ "data": "dXNlcg==" });
    let secret = json!({ "apiVersion": "v1", "kind": "Secret", "metadata": { "name": "x" }, "data": "dXNlcg==" });

    let verdicts = schemas()
        .judge_named(&[
            (NamedSchema::merge_patch(SECRET), change.clone()),
            (NamedSchema::object(SECRET), secret.clone()),
        ])
        .unwrap();
    let patched =
        send_raw(&api, PeerRequest::patch(format!("{path}/db")).json_as(MERGE_PATCH, &change))
            .await;
    let created = send_raw(&api, PeerRequest::post(path).json(&secret)).await;

    for verdict in &verdicts {
        assert!(
            matches!(verdict, Verdict::Invalid { path, message, .. }
                if path == "data" && message.contains("is not of type 'object', 'null'")),
            "{verdict}"
        );
    }
    for answer in [&patched, &created] {
        assert_eq!(answer.status(), 422);
        let status: Value = answer.json().unwrap();
        assert_eq!(
            (status["kind"].as_str(), status["reason"].as_str()),
            (Some("Status"), Some("Invalid"))
        );
    }
    assert_eq!(api.stored("db"), before, "a refused patch changes nothing");
    assert_eq!(api.stored("x"), None);
    let encoded = base64::engine::general_purpose::STANDARD.encode("floe");
    assert_eq!(api.stored("db").unwrap()["data"]["user"], encoded.as_str());
}
