//! floe-secrets-k8s: a real read through the loopback Kubernetes API server its own tests
//! use; the forced failure authenticates with the planted secret as a refused token.

use contract_tests::Row;
use floe_core::plugin::categories::SecretsProvider as _;
use floe_secrets_k8s::K8sSecretsPlugin;

#[path = "../../../../plugins/floe-secrets-k8s/tests/it/peer.rs"]
#[expect(dead_code, reason = "the row uses part of the shared peer")]
mod peer;

pub(crate) const ROW: Row = Row { package: "floe-secrets-k8s", succeed, fail };

fn plugin(config: serde_json::Value) -> K8sSecretsPlugin {
    K8sSecretsPlugin::new(&serde_json::from_value(config).expect("the peer's config decodes"))
        .expect("the peer's config is valid")
}

fn block_on<T>(future: impl Future<Output = T>) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    runtime.expect("a current-thread runtime").block_on(future)
}

fn succeed() {
    let api = peer::KubeApi::start("contract-token");
    api.insert("db", &[("password", "not-a-real-password")]);
    let plugin = plugin(api.config(peer::NAMESPACE, api.token()));
    let value = block_on(plugin.get_secret("db/password")).expect("the read succeeds");
    assert!(value.is_some(), "the stored secret is found");
}

fn fail(secret: &str) {
    let api = peer::KubeApi::start("contract-token");
    let plugin = plugin(api.config(peer::NAMESPACE, secret));
    let error = block_on(plugin.get_secret("db/password")).expect_err("the token is refused");
    floe_otel_testkit::leak::assert_text_clean("error message", &error.to_string(), secret);
}
