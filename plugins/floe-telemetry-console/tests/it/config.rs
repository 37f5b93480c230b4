//! Configuration: the registered plugin builds from manifest config, refuses unknown keys,
//! and writes the console exporter into the compiled artifacts.

use floe_core::plugin::categories::TelemetryBackend as _;
use floe_core::plugin::{PluginCategory, PluginErrorKind, ResolvedConfig, find};
use floe_core::telemetry::{ConsoleTarget, ExporterConfig, TelemetryConfig};
use floe_telemetry_console::{ConsoleConfig, ConsoleTelemetryPlugin};
use serde_json::json;

#[test]
fn the_plugin_is_registered_without_a_tracer_and_builds_from_manifest_config() {
    let descriptor = find(PluginCategory::TelemetryBackend, "console")
        .expect("floe-telemetry-console registers itself");
    assert_eq!(descriptor.metadata.tracer_name(), None, "telemetry backends are not traced");
    let config =
        ResolvedConfig::literal("plugins.telemetry_backend.config", json!({ "target": "stdout" }));

    let plugin = (descriptor.construct)(&config).unwrap();

    assert_eq!(
        plugin.generated_config().unwrap(),
        json!({ "exporter": { "kind": "console", "target": "stdout" } })
    );
}

#[test]
fn the_default_target_is_standard_error() {
    let config = ResolvedConfig::literal("plugins.telemetry_backend.config", json!({}));
    let decoded: ConsoleConfig = config.decode("telemetry_backend/console").unwrap();

    let plugin = ConsoleTelemetryPlugin::new(decoded);

    assert_eq!(plugin.target(), ConsoleTarget::Stderr);
    assert_eq!(plugin.exporter_config(), ExporterConfig::Console { target: ConsoleTarget::Stderr });
}

#[test]
fn unknown_keys_and_unknown_targets_are_refused_naming_the_path() {
    let descriptor = find(PluginCategory::TelemetryBackend, "console").unwrap();
    for (config, named) in
        [(json!({ "targt": "stdout" }), "targt"), (json!({ "target": "syslog" }), "target")]
    {
        let config = ResolvedConfig::literal("plugins.telemetry_backend.config", config);

        let error = (descriptor.construct)(&config).unwrap_err();

        assert_eq!(error.kind, PluginErrorKind::Config);
        let text = error.to_string();
        assert!(text.contains("plugins.telemetry_backend.config"), "{text}");
        assert!(text.contains(named), "{text}");
    }
}

#[test]
fn the_exporter_config_is_a_valid_telemetry_section() {
    let plugin = ConsoleTelemetryPlugin::new(ConsoleConfig { target: ConsoleTarget::Stdout });
    let config =
        TelemetryConfig { exporter: plugin.exporter_config(), ..TelemetryConfig::default() };

    config.validate().unwrap();
    let yaml = format!("exporter: {}\n", serde_json::to_string(&config.exporter).unwrap());
    assert_eq!(TelemetryConfig::from_yaml(&yaml).unwrap().exporter, config.exporter);
}

#[test]
fn helm_values_set_the_standard_exporter_variable() {
    let plugin = ConsoleTelemetryPlugin::new(ConsoleConfig::default());

    let values = plugin.helm_values();

    assert_eq!(values["telemetry"]["exporter"], "console");
    assert_eq!(values["telemetry"]["target"], "stderr");
    assert_eq!(
        values["telemetry"]["env"],
        json!([{ "name": "OTEL_TRACES_EXPORTER", "value": "console" }])
    );
}
