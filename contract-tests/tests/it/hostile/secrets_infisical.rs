//! floe-secrets-infisical against the hostile peer. The credential is the client secret.
//! The secrets calls are tested behind a login the plugin's own loopback Infisical
//! answers (so the hostile answer meets the bearer token and the values sent); the
//! login, the status check and the start-up are tested with the hostile answer first.

use std::time::Duration;

use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::SecretsProvider as _;
use floe_core::secret::Secret;
use floe_otel_testkit::hostile::{Behaviour, When};
use floe_secrets_infisical::InfisicalPlugin;

use super::{CREDENTIAL_REF, Op, RETRY, Row, Run, health, hostile_rows, outcome};

/// The plugin's own loopback Infisical (shared with its contract row).
use crate::rows::secrets_infisical::peer;

pub(crate) const ROW: Row = Row {
    plugin: "secrets-infisical",
    category: "secrets",
    kind: "infisical",
    config: |url| {
        serde_json::json!({
            "site_url": url, "client_id": peer::CLIENT_ID, "client_secret": CREDENTIAL_REF,
            "project_id": peer::PROJECT, "environment": peer::ENVIRONMENT, "timeout_secs": 2,
        })
    },
    timeout: Duration::from_secs(2),
    ops: &[
        secrets_api("get_secret", "secrets.get_secret", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.get_secret("DB_PASSWORD").await) })
        }),
        secrets_api("require_secret", "secrets.get_secret", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.require_secret("DB_PASSWORD").await) })
        }),
        secrets_api("get_multi", "secrets.get_multi", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.get_multi("db").await) })
        }),
        secrets_api("set_secret", "secrets.set_secret", set_secret),
        secrets_api("delete_secret", "secrets.delete_secret", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.delete_secret("DB_PASSWORD").await) })
        }),
        secrets_api("list_secrets", "secrets.list_secrets", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.list_secrets(None).await) })
        }),
        Op {
            name: "login",
            span: "secrets.get_secret",
            when: When::Always,
            normal: None,
            run: |config, _| {
                let plugin = plugin(config);
                Box::pin(async move { outcome(plugin.get_secret("DB_PASSWORD").await) })
            },
        },
        Op {
            name: "startup_login",
            span: "secrets.login",
            when: When::Always,
            normal: None,
            run: |config, _| {
                let plugin = plugin(config);
                Box::pin(async move { outcome(plugin.startup().await) })
            },
        },
        Op {
            name: "health_check_status",
            span: "secrets.health_check",
            when: When::Always,
            normal: None,
            run: health_check,
        },
        Op {
            name: "health_check_login",
            span: "secrets.health_check",
            when: When::PathStartsWith("/api/v1/auth/"),
            normal: Some(peer::InfisicalApi::router_for),
            run: health_check,
        },
        // pod_env_spec makes no call.
    ],
};

/// An operation whose secrets call gets the hostile answer after a normal login.
const fn secrets_api(
    name: &'static str,
    span: &'static str,
    run: fn(serde_json::Value, String) -> Run,
) -> Op {
    Op {
        name,
        span,
        when: When::PathStartsWith("/api/v3/"),
        normal: Some(peer::InfisicalApi::router_for),
        run,
    }
}

fn plugin(config: serde_json::Value) -> InfisicalPlugin {
    let config = serde_json::from_value(config).expect("the row's config decodes");
    InfisicalPlugin::new(&config).expect("the row's config is valid").with_retry_policy(RETRY)
}

fn set_secret(config: serde_json::Value, value: String) -> Run {
    let plugin = plugin(config);
    Box::pin(async move { outcome(plugin.set_secret("DB_PASSWORD", &Secret::new(value)).await) })
}

fn health_check(config: serde_json::Value, _: String) -> Run {
    let plugin = plugin(config);
    Box::pin(async move { health(plugin.health_check().await) })
}

hostile_rows!(ROW);
