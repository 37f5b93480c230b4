//! floe-secrets-k8s against the hostile peer: every call goes to the API server, so every
//! request gets the hostile answer; the credential is the bearer token.

use std::time::Duration;

use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::SecretsProvider as _;
use floe_core::secret::Secret;
use floe_otel_testkit::hostile::{Behaviour, When};
use floe_secrets_k8s::K8sSecretsPlugin;

use super::{CREDENTIAL_REF, Op, RETRY, Row, Run, health, hostile_rows, outcome};

pub(crate) const ROW: Row = Row {
    plugin: "secrets-k8s",
    category: "secrets",
    kind: "k8s",
    config: |url| {
        serde_json::json!({
            "api_server": url, "namespace": "floe", "token": CREDENTIAL_REF, "timeout_secs": 2,
        })
    },
    timeout: Duration::from_secs(2),
    ops: &[
        op("get_secret", "secrets.get_secret", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.get_secret("db/password").await) })
        }),
        op("require_secret", "secrets.get_secret", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.require_secret("db/password").await) })
        }),
        op("get_multi", "secrets.get_multi", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.get_multi("db").await) })
        }),
        op("set_secret", "secrets.set_secret", set_secret),
        op("delete_key", "secrets.delete_secret", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.delete_secret("db/password").await) })
        }),
        op("delete_secret", "secrets.delete_secret", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.delete_secret("db").await) })
        }),
        op("list_secrets", "secrets.list_secrets", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.list_secrets(None).await) })
        }),
        op("health_check", "secrets.health_check", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { health(plugin.health_check().await) })
        }),
        // pod_env_spec makes no call; startup only reads the token file.
    ],
};

const fn op(
    name: &'static str,
    span: &'static str,
    run: fn(serde_json::Value, String) -> Run,
) -> Op {
    Op { name, span, when: When::Always, normal: None, run }
}

fn plugin(config: serde_json::Value) -> K8sSecretsPlugin {
    let config = serde_json::from_value(config).expect("the row's config decodes");
    K8sSecretsPlugin::new(&config).expect("the row's config is valid").with_retry_policy(RETRY)
}

fn set_secret(config: serde_json::Value, value: String) -> Run {
    let plugin = plugin(config);
    Box::pin(async move { outcome(plugin.set_secret("db/password", &Secret::new(value)).await) })
}

hostile_rows!(ROW);
