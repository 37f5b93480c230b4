//! The plugin speaks the Infisical API correctly: Universal Auth, token renewal, the raw
//! secrets endpoints with their scope, get-then-create-or-update, and error bodies.

use floe_core::plugin::categories::SecretsProvider as _;
use floe_core::secret::Secret;
use floe_otel_testkit::Capture;
use floe_otel_testkit::fixtures::planted_secret;
use floe_secrets_infisical::InfisicalError;
use serde_json::json;

use crate::peer::{CLIENT_ID, ENVIRONMENT, InfisicalApi, PROJECT};
use crate::plugin;

#[tokio::test]
async fn login_posts_the_client_credentials_and_reads_use_the_issued_bearer_token() {
    let client_secret = planted_secret();
    let api = InfisicalApi::start(&client_secret, 3600);
    api.insert("/", "A", "1");
    let capture = Capture::start();

    plugin(&api, &client_secret).get_secret("A").await.unwrap();

    let requests = api.requests();
    let login = &requests[0];
    assert_eq!(
        (login.method.as_str(), login.path.as_str()),
        ("POST", "/api/v1/auth/universal-auth/login")
    );
    assert_eq!(login.json(), json!({ "clientId": CLIENT_ID, "clientSecret": client_secret }));
    assert_eq!(login.header("authorization"), None);
    let read = &requests[1];
    assert_eq!((read.method.as_str(), read.path.as_str()), ("GET", "/api/v3/secrets/raw/A"));
    assert_eq!(read.header("authorization"), Some("Bearer st.identity-token-1"));
    assert_eq!(
        read.query.as_deref(),
        Some(format!("workspaceId={PROJECT}&environment={ENVIRONMENT}&secretPath=%2F").as_str())
    );
    capture.assert_secret_nowhere(&client_secret, &[]);
    capture.assert_secret_nowhere("st.identity-token-1", &[]);
}

#[tokio::test]
async fn one_login_serves_many_calls_while_the_token_is_fresh() {
    let api = InfisicalApi::start("cs", 3600);
    api.insert("/", "A", "1");
    let plugin = plugin(&api, "cs");

    for _ in 0..3 {
        plugin.get_secret("A").await.unwrap();
    }

    assert_eq!(api.auth_counts(), (1, 0));
}

#[tokio::test]
async fn renewal_sends_the_current_token_and_keeps_using_it() {
    let api = InfisicalApi::start("cs", 0);
    api.insert("/", "A", "1");
    let plugin = plugin(&api, "cs");

    plugin.get_secret("A").await.unwrap();
    plugin.get_secret("A").await.unwrap();

    let renew = api.requests().into_iter().find(|r| r.path == "/api/v1/auth/token/renew").unwrap();
    assert_eq!(renew.json(), json!({ "accessToken": "st.identity-token-1" }));
    let last = api.requests().pop().unwrap();
    assert_eq!(last.header("authorization"), Some("Bearer st.identity-token-1"));
}

#[tokio::test]
async fn a_write_reads_first_then_creates_or_updates_with_the_scope_in_the_body() {
    let (first, second) = (planted_secret(), planted_secret());
    let api = InfisicalApi::start("cs", 3600);
    let plugin = plugin(&api, "cs");
    let capture = Capture::start();

    plugin.set_secret("apps/floe/TOKEN", &Secret::new(first.clone())).await.unwrap();
    plugin.set_secret("apps/floe/TOKEN", &Secret::new(second.clone())).await.unwrap();

    let calls: Vec<(String, String)> = api
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v3"))
        .map(|r| (r.method, r.path))
        .collect();
    let path = "/api/v3/secrets/raw/TOKEN".to_owned();
    assert_eq!(
        calls,
        [
            ("GET".to_owned(), path.clone()),
            ("POST".to_owned(), path.clone()),
            ("GET".to_owned(), path.clone()),
            ("PATCH".to_owned(), path),
        ]
    );
    let update = api.requests().into_iter().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(
        update.json(),
        json!({
            "workspaceId": PROJECT, "environment": ENVIRONMENT, "secretPath": "/apps/floe",
            "type": "shared", "secretValue": second,
        })
    );
    assert_eq!(api.value("/apps/floe", "TOKEN"), Some(second.clone()));
    capture.assert_secret_nowhere(&first, &[]);
    capture.assert_secret_nowhere(&second, &[]);
}

#[tokio::test]
async fn a_create_that_loses_the_race_to_another_writer_updates_instead() {
    let (mine, theirs) = (planted_secret(), planted_secret());
    let api = InfisicalApi::start("cs", 3600);
    api.race_creates(2);
    let (first, second) = (plugin(&api, "cs"), plugin(&api, "cs"));
    let (mine_secret, theirs_secret) = (Secret::new(mine.clone()), Secret::new(theirs.clone()));
    let capture = Capture::start();

    let (a, b) = capture
        .bind(async {
            tokio::join!(
                first.set_secret("apps/API_KEY", &mine_secret),
                second.set_secret("apps/API_KEY", &theirs_secret),
            )
        })
        .await;

    a.unwrap();
    b.unwrap();
    let stored = api.value("/apps", "API_KEY").unwrap();
    assert!(stored == mine || stored == theirs);
    let calls: Vec<String> = api
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v3"))
        .map(|r| r.method)
        .collect();
    let count = |method: &str| calls.iter().filter(|m| *m == method).count();
    assert_eq!((count("GET"), count("POST"), count("PATCH")), (2, 2, 1), "{calls:?}");
    let span = |action: &str| {
        floe_otel_testkit::expect::span("secrets.set_secret")
            .ok()
            .attr(floe_core::telemetry::attr::SECRETS_WRITE_ACTION, action.to_owned())
    };
    capture.assert_one(span("created"));
    capture.assert_one(span("updated"));
    capture.assert_secret_nowhere(&mine, &[]);
    capture.assert_secret_nowhere(&theirs, &[]);
}

#[tokio::test]
async fn delete_sends_the_scope_and_reports_whether_the_secret_existed() {
    let api = InfisicalApi::start("cs", 3600);
    api.insert("/", "OLD", "x");
    let plugin = plugin(&api, "cs");

    assert!(plugin.delete_secret("OLD").await.unwrap());
    assert!(!plugin.delete_secret("OLD").await.unwrap());

    let delete = api.requests().into_iter().find(|r| r.method == "DELETE").unwrap();
    assert_eq!(
        delete.json(),
        json!({ "workspaceId": PROJECT, "environment": ENVIRONMENT, "secretPath": "/", "type": "shared" })
    );
}

#[tokio::test]
async fn keys_are_relative_to_the_configured_secret_path() {
    let api = InfisicalApi::start("cs", 3600);
    api.insert("/platform/db", "USER", "floe");
    let mut config = api.config("cs");
    config["secret_path"] = json!("/platform/");
    let plugin =
        floe_secrets_infisical::InfisicalPlugin::new(&serde_json::from_value(config).unwrap())
            .unwrap();

    let user = plugin.get_secret("db/USER").await.unwrap();
    let all = plugin.get_multi("db").await.unwrap();

    assert_eq!(user.map(Secret::into_inner).as_deref(), Some("floe"));
    assert_eq!(all.keys().collect::<Vec<_>>(), ["USER"]);
}

#[tokio::test]
async fn malformed_keys_are_refused_before_any_call() {
    let api = InfisicalApi::start("cs", 3600);
    let plugin = plugin(&api, "cs");

    for key in ["", "a b", "../ETC", "folder/", "x/../Y", "a?b"] {
        let error = plugin.get_secret(key).await.unwrap_err();
        assert!(matches!(error, InfisicalError::InvalidKey { .. }), "{key:?}: {error}");
    }
    assert!(api.requests().is_empty());
}

#[tokio::test]
async fn an_error_body_is_reported_with_its_name_and_message() {
    let api = InfisicalApi::start("cs", 3600);
    let mut config = api.config("cs");
    config["environment"] = json!("staging");
    let plugin =
        floe_secrets_infisical::InfisicalPlugin::new(&serde_json::from_value(config).unwrap())
            .unwrap();

    let error = plugin.list_secrets(None).await.unwrap_err();

    let text = error.to_string();
    assert!(
        text.starts_with(
            "cannot list secret * in environment staging through infisical: 127.0.0.1:"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("has no such resource (404): NotFound: Environment not found"),
        "{text}"
    );
}

#[test]
fn a_pod_env_spec_references_the_operator_synced_secret() {
    let api = InfisicalApi::start("cs", 3600);
    let plugin = plugin(&api, "cs");

    let env = plugin.pod_env_spec(&["DB_PASSWORD"]).unwrap();
    let folder = plugin.pod_env_spec(&["db/PASSWORD"]).unwrap_err();

    assert_eq!(
        env,
        json!([{ "name": "DB_PASSWORD", "valueFrom": { "secretKeyRef": { "name": "floe-infisical-sync", "key": "DB_PASSWORD", "optional": false } } }])
    );
    assert!(matches!(folder, InfisicalError::InvalidKey { .. }));
}
