//! floe-telemetry-console: excluded from tracing by policy. Its real operations (the
//! connection check and the exporter configuration) run, and the suite checks they emit
//! no span; the plugin takes no credential, so the failure row has nothing to plant.

use contract_tests::Row;
use floe_core::plugin::categories::TelemetryBackend as _;
use floe_core::telemetry::{ConsoleTarget, ExporterConfig};
use floe_telemetry_console::{ConsoleConfig, ConsoleTelemetryPlugin};

use super::block_on;

pub(crate) const ROW: Row = Row { package: "floe-telemetry-console", succeed, fail };

fn succeed() {
    let plugin = ConsoleTelemetryPlugin::new(ConsoleConfig { target: ConsoleTarget::Stderr });
    block_on(plugin.validate_connection()).expect("the console is always there");
    assert_eq!(plugin.exporter_config(), ExporterConfig::Console { target: ConsoleTarget::Stderr });
}

fn fail(secret: &str) {
    let config = serde_json::json!({ "target": secret });
    let error = serde_json::from_value::<ConsoleConfig>(config).expect_err("not a target");
    assert!(error.to_string().contains("unknown variant"), "{error}");
}
