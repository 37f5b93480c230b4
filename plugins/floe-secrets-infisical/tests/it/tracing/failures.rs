//! How each operation fails, span by span: an unknown environment. Each error names what
//! failed and carries no credential.

use floe_core::plugin::PluginErrorKind;
use floe_core::plugin::categories::SecretsProvider as _;
use floe_core::telemetry::attr;
use floe_otel_testkit::{Capture, expect};
use floe_secrets_infisical::{InfisicalError, InfisicalPlugin};
use serde_json::json;

use crate::peer::InfisicalApi;

#[tokio::test]
async fn a_folder_of_an_unknown_environment_reports_what_infisical_said() {
    let api = InfisicalApi::start("cs", 3600);
    let mut config = api.config("cs");
    config["environment"] = json!("staging");
    let plugin = InfisicalPlugin::new(&serde_json::from_value(config).unwrap()).unwrap();
    let capture = Capture::start();

    let error = plugin.get_multi("db").await.unwrap_err();

    assert!(matches!(error, InfisicalError::Api { action: "list", .. }), "{error}");
    assert_eq!(error.kind(), PluginErrorKind::NotFound);
    let text = error.to_string();
    assert!(text.starts_with("cannot list secret db in environment staging through infisical"));
    assert!(
        text.ends_with("has no such resource (404): NotFound: Environment not found"),
        "{text}"
    );
    capture.assert_one(
        expect::span("secrets.get_multi")
            .root()
            .attr(attr::SECRETS_NAMESPACE, "staging")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 404_i64)
            .error_containing("cannot list secret db in environment staging through infisical"),
    );
    capture.spans().assert_conforms();
}
