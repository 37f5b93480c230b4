//! floe-secrets-infisical: a real read (with its Universal Auth login) against the
//! loopback Infisical API its own tests use; the forced failure logs in with the planted
//! secret as a refused client secret.

use contract_tests::Row;
use floe_core::plugin::categories::SecretsProvider as _;
use floe_secrets_infisical::InfisicalPlugin;

#[path = "../../../../plugins/floe-secrets-infisical/tests/it/peer.rs"]
#[expect(dead_code, reason = "the rows use part of the shared peer")]
pub(crate) mod peer;

pub(crate) const ROW: Row = Row { package: "floe-secrets-infisical", succeed, fail };

fn plugin(config: serde_json::Value) -> InfisicalPlugin {
    InfisicalPlugin::new(&serde_json::from_value(config).expect("the peer's config decodes"))
        .expect("the peer's config is valid")
}

fn block_on<T>(future: impl Future<Output = T>) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    runtime.expect("a current-thread runtime").block_on(future)
}

fn succeed() {
    let api = peer::InfisicalApi::start("contract-client-secret", 3600);
    api.insert("/", "DB_PASSWORD", "not-a-real-password");
    let plugin = plugin(api.config("contract-client-secret"));
    let value = block_on(plugin.get_secret("DB_PASSWORD")).expect("the read succeeds");
    assert!(value.is_some(), "the stored secret is found");
}

fn fail(secret: &str) {
    let api = peer::InfisicalApi::start("contract-client-secret", 3600);
    let plugin = plugin(api.config(secret));
    let error = block_on(plugin.get_secret("DB_PASSWORD")).expect_err("the login is refused");
    floe_otel_testkit::leak::assert_text_clean("error message", &error.to_string(), secret);
}
