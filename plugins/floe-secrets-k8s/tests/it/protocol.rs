//! The plugin speaks the Kubernetes Secrets API correctly: paths, verbs, headers, base64
//! data, merge patches, paging, and the failure answers.

use base64::Engine as _;
use floe_core::plugin::categories::SecretsProvider as _;
use floe_core::secret::Secret;
use floe_otel_testkit::Capture;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use floe_secrets_k8s::{K8sSecretsConfig, K8sSecretsError, K8sSecretsPlugin};
use serde_json::json;

use crate::peer::{KubeApi, NAMESPACE};
use crate::plugin;

const SECRETS_PATH: &str = "/api/v1/namespaces/floe-test/secrets";

#[tokio::test]
async fn every_request_carries_the_bearer_token_and_asks_for_json() {
    let token = planted_secret();
    let api = KubeApi::start(&token);
    api.insert("db", &[("user", "floe")]);
    let capture = Capture::start();

    plugin(&api).get_secret("db/user").await.unwrap();

    let requests = api.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/api/v1/namespaces/floe-test/secrets/db")
    );
    assert_eq!(request.header("authorization"), Some(format!("Bearer {token}").as_str()));
    assert_eq!(request.header("accept"), Some("application/json"));
    capture.assert_secret_nowhere(&token, &[]);
}

#[tokio::test]
async fn a_new_secret_is_created_with_base64_data_and_the_floe_label() {
    let token = planted_secret();
    let value = format!("pä:ss/{}", planted_secret());
    let api = KubeApi::start(&token);
    let capture = Capture::start();

    plugin(&api).set_secret("db/password", &Secret::new(value.clone())).await.unwrap();

    let requests = api.requests();
    let methods: Vec<&str> = requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["PATCH", "POST"], "patch finds nothing, then create");
    let create = &requests[1];
    assert_eq!(create.path, SECRETS_PATH);
    assert_eq!(create.header("content-type"), Some("application/json"));
    let body = create.json();
    assert_eq!(body["kind"], "Secret");
    assert_eq!(body["type"], "Opaque");
    assert_eq!(body["metadata"]["name"], "db");
    assert_eq!(body["metadata"]["labels"]["app.kubernetes.io/managed-by"], "floe");
    let encoded = base64::engine::general_purpose::STANDARD.encode(&value);
    assert_eq!(body["data"]["password"], encoded.as_str(), "standard base64 with padding");
    assert_eq!(api.stored_value("db", "password"), Some(value.clone()));
    capture.assert_secret_nowhere(&value, &[]);
    capture.assert_secret_nowhere(&encoded, &[]);
    capture.assert_secret_nowhere(&token, &[]);
}

#[tokio::test]
async fn an_update_merge_patches_one_key_and_keeps_the_others() {
    let token = planted_secret();
    let (old, new) = (planted_secret(), planted_secret());
    let api = KubeApi::start(&token);
    api.insert("db", &[("user", "floe"), ("password", &old)]);
    let capture = Capture::start();

    plugin(&api).set_secret("db/password", &Secret::new(new.clone())).await.unwrap();

    let requests = api.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "PATCH");
    assert_eq!(requests[0].path, format!("{SECRETS_PATH}/db"));
    assert_eq!(requests[0].header("content-type"), Some("application/merge-patch+json"));
    let encoded = base64::engine::general_purpose::STANDARD.encode(&new);
    assert_eq!(requests[0].json(), json!({ "data": { "password": encoded } }));
    assert_eq!(api.stored_value("db", "password"), Some(new.clone()));
    assert_eq!(api.stored_value("db", "user").as_deref(), Some("floe"));
    for secret in [&token, &old, &new, &encoded] {
        capture.assert_secret_nowhere(secret, &[]);
    }
}

#[tokio::test]
async fn a_create_that_loses_a_race_falls_back_to_the_patch() {
    let value = planted_secret();
    let api = KubeApi::start("t");
    api.conflict_on_next_create();
    let capture = Capture::start();

    plugin(&api).set_secret("db/password", &Secret::new(value.clone())).await.unwrap();

    let methods: Vec<String> = api.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["PATCH", "POST", "PATCH"]);
    assert_eq!(api.stored_value("db", "password"), Some(value.clone()));
    capture.assert_one(
        floe_otel_testkit::expect::span("secrets.set_secret")
            .ok()
            .attr(floe_core::telemetry::attr::SECRETS_WRITE_ACTION, "updated"),
    );
    capture.assert_secret_nowhere(&value, &[]);
}

#[tokio::test]
async fn deleting_a_key_patches_it_to_null_and_deleting_a_name_deletes_the_secret() {
    let api = KubeApi::start("t");
    api.insert("db", &[("user", "floe"), ("password", "p")]);
    api.insert("old", &[("k", "v")]);
    let plugin = plugin(&api);

    assert!(plugin.delete_secret("db/password").await.unwrap());
    assert!(plugin.delete_secret("old").await.unwrap());
    assert!(!plugin.delete_secret("old").await.unwrap());

    let patch = api.requests().into_iter().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(patch.json(), json!({ "data": { "password": null } }));
    assert_eq!(api.stored_value("db", "user").as_deref(), Some("floe"));
    assert_eq!(api.stored_value("db", "password"), None);
    assert!(api.stored("old").is_none());
}

#[tokio::test]
async fn listing_follows_continue_tokens_and_filters_by_label_and_prefix() {
    let api = KubeApi::start("t");
    for name in ["app-a", "app-b", "app-c", "db"] {
        api.insert_labelled(name, &[("k", "v")], &[("team", "data")]);
    }
    api.insert_labelled("app-other", &[("k", "v")], &[("team", "web")]);
    api.page_size(2);
    let mut config: K8sSecretsConfig = serde_json::from_value(api.config(NAMESPACE, "t")).unwrap();
    config.label_selector = Some("team=data".to_owned());
    let plugin = K8sSecretsPlugin::new(&config).unwrap();

    let names = plugin.list_secrets(Some("app-")).await.unwrap();

    assert_eq!(names, ["app-a", "app-b", "app-c"]);
    let queries: Vec<String> = api.requests().iter().filter_map(|r| r.query.clone()).collect();
    assert_eq!(
        queries,
        ["limit=500&labelSelector=team%3Ddata", "limit=500&labelSelector=team%3Ddata&continue=2",]
    );
}

#[tokio::test]
async fn reading_all_keys_decodes_each_and_a_missing_secret_is_not_found() {
    let password = planted_secret();
    let api = KubeApi::start("t");
    api.insert("db", &[("user", "floe"), ("password", &password)]);
    let plugin = plugin(&api);
    let capture = Capture::start();

    let all = plugin.get_multi("db").await.unwrap();
    let missing = plugin.get_multi("nope").await.unwrap_err();

    let plain: Vec<(&str, &str)> =
        all.iter().map(|(k, v)| (k.as_str(), v.expose().as_str())).collect();
    assert_eq!(plain, [("password", password.as_str()), ("user", "floe")]);
    assert!(matches!(missing, K8sSecretsError::NotFound { .. }), "{missing}");
    capture.assert_secret_nowhere(&password, &[&format!("{all:?}"), &missing.to_string()]);
}

#[tokio::test]
async fn a_value_that_is_not_utf8_text_is_an_error_that_does_not_show_it() {
    let api = KubeApi::start("t");
    let value = planted_secret();
    // Valid base64 of bytes that are not UTF-8: the planted text with a stray 0xff byte.
    let mut bytes = value.clone().into_bytes();
    bytes.push(0xff);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
    api.insert_raw("bin", &json!({ "blob": encoded }), &[]);

    let error = plugin(&api).get_secret("bin/blob").await.unwrap_err();

    assert!(matches!(error, K8sSecretsError::Encoding { .. }), "{error}");
    assert_text_clean("error message", &format!("{error} {error:?}"), &value);
    assert_text_clean("error message", &format!("{error} {error:?}"), &encoded);
}

#[tokio::test]
async fn malformed_keys_are_refused_before_any_request() {
    let api = KubeApi::start("t");
    let plugin = plugin(&api);

    for key in ["db", "Upper/key", "db/", "/key", "db/a b", "../x/y", "db/k/extra"] {
        let error = plugin.get_secret(key).await.unwrap_err();
        assert!(matches!(error, K8sSecretsError::InvalidKey { .. }), "{key}: {error}");
    }
    assert!(matches!(plugin.get_multi("a/b").await, Err(K8sSecretsError::InvalidKey { .. })));
    assert!(api.requests().is_empty());
}

#[tokio::test]
async fn the_token_file_is_read_on_every_call_so_a_rotated_token_is_used() {
    let (current, stale) = (planted_secret(), planted_secret());
    let api = KubeApi::start(&current);
    api.insert("db", &[("user", "floe")]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, format!("{current}\n")).unwrap();
    let config = json!({ "api_server": api.url(), "namespace": NAMESPACE, "token_file": file });
    let plugin = K8sSecretsPlugin::new(&serde_json::from_value(config).unwrap()).unwrap();
    let capture = Capture::start();

    assert!(plugin.get_secret("db/user").await.unwrap().is_some());
    std::fs::write(&file, &stale).unwrap();
    let error = plugin.get_secret("db/user").await.unwrap_err();

    let tokens: Vec<Option<String>> =
        api.requests().iter().map(|r| r.header("authorization").map(str::to_owned)).collect();
    assert_eq!(tokens, [Some(format!("Bearer {current}")), Some(format!("Bearer {stale}"))]);
    assert!(error.to_string().contains("(401): Unauthorized"), "{error}");
    for token in [&current, &stale] {
        capture.assert_secret_nowhere(token, &[&error.to_string(), &format!("{error:?}")]);
    }
}

#[test]
fn a_pod_env_spec_references_keys_and_never_values() {
    let api = KubeApi::start("t");
    let plugin = plugin(&api);

    let env = plugin.pod_env_spec(&["db/password", "api-keys/stripe.key", "x/2fa"]).unwrap();
    let duplicate = plugin.pod_env_spec(&["a/token", "b/token"]).unwrap_err();

    assert_eq!(
        env,
        json!([
            { "name": "PASSWORD", "valueFrom": { "secretKeyRef": { "name": "db", "key": "password", "optional": false } } },
            { "name": "STRIPE_KEY", "valueFrom": { "secretKeyRef": { "name": "api-keys", "key": "stripe.key", "optional": false } } },
            { "name": "_2FA", "valueFrom": { "secretKeyRef": { "name": "x", "key": "2fa", "optional": false } } },
        ])
    );
    assert_eq!(
        duplicate.to_string(),
        "keys a/token and b/token both map to environment variable TOKEN"
    );
}
