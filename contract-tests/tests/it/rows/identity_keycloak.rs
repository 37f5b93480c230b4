//! floe-identity-keycloak: a real client-credentials grant (with its discovery, the client
//! secret sent with `client_secret_basic`) against the spec-checked loopback OpenID Connect
//! server its own tests use (the plugin's own tests also run against oidc-provider, which
//! takes seconds to start); the forced failure presents the planted secret as a refused
//! client secret.

use contract_tests::Row;
use floe_core::plugin::categories::{IdentityProvider as _, TokenGrant};
use floe_identity_keycloak::KeycloakPlugin;

#[path = "../../../../plugins/floe-identity-keycloak/tests/it/peer.rs"]
#[expect(dead_code, reason = "the row and the hostile rows use part of the shared peer")]
pub(crate) mod peer;

pub(crate) const ROW: Row = Row { package: "floe-identity-keycloak", succeed, fail };

fn plugin(config: serde_json::Value) -> KeycloakPlugin {
    KeycloakPlugin::new(&serde_json::from_value(config).expect("the peer's config decodes"))
        .expect("the peer's config is valid")
}

fn block_on<T>(future: impl Future<Output = T>) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    runtime.expect("a current-thread runtime").block_on(future)
}

fn grant() -> TokenGrant {
    TokenGrant::ClientCredentials { scopes: vec![] }
}

fn succeed() {
    let server = peer::OidcServer::start("contract-client-secret", "pw", "subject");
    let plugin = plugin(server.config("contract-client-secret"));
    block_on(plugin.token(&grant())).expect("the grant succeeds");
}

fn fail(secret: &str) {
    let server = peer::OidcServer::start("contract-client-secret", "pw", "subject");
    let plugin = plugin(server.config(secret));
    let error = block_on(plugin.token(&grant())).expect_err("the client secret is refused");
    floe_otel_testkit::leak::assert_text_clean("error message", &error.to_string(), secret);
}
