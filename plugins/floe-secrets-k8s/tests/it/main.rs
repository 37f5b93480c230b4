//! Tests of the Kubernetes Secrets plugin against a loopback Kubernetes API server.

mod config;
mod peer;
mod protocol;
mod schemas;
mod tracing;

use std::time::Duration;

use floe_core::http::RetryPolicy;
use floe_secrets_k8s::{K8sSecretsConfig, K8sSecretsPlugin};

/// Short backoffs, so retry tests stay fast.
const FAST: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    initial_backoff: Duration::from_millis(5),
    max_backoff: Duration::from_millis(20),
};

/// The plugin for `api`'s `namespace`, authenticating with `token`.
fn plugin_for(api: &peer::KubeApi, namespace: &str, token: &str) -> K8sSecretsPlugin {
    let config: K8sSecretsConfig =
        serde_json::from_value(api.config(namespace, token)).expect("the peer's config decodes");
    K8sSecretsPlugin::new(&config).expect("the peer's config is valid").with_retry_policy(FAST)
}

/// The plugin for `api`'s own namespace with the accepted token.
fn plugin(api: &peer::KubeApi) -> K8sSecretsPlugin {
    plugin_for(api, peer::NAMESPACE, api.token())
}
