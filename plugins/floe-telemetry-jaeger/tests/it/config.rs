//! Configuration: the registered plugin builds from manifest config, refuses unknown keys
//! and unusable values, takes the endpoint from the standard environment variables, and
//! never writes a header value into the artifacts or the Helm values.

use floe_core::plugin::categories::TelemetryBackend as _;
use floe_core::plugin::{PluginCategory, PluginErrorKind, ResolvedConfig, find};
use floe_core::telemetry::{ExporterConfig, OtlpProtocol, TelemetryConfig};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use floe_telemetry_jaeger::{JaegerConfig, JaegerError, JaegerTelemetryPlugin};
use serde_json::json;

fn decode(value: serde_json::Value) -> JaegerConfig {
    serde_json::from_value(value).expect("the test config decodes")
}

fn no_env(_: &str) -> Option<String> {
    None
}

#[test]
fn the_plugin_is_registered_without_a_tracer_and_builds_from_manifest_config() {
    let descriptor = find(PluginCategory::TelemetryBackend, "jaeger")
        .expect("floe-telemetry-jaeger registers itself");
    assert_eq!(descriptor.metadata.tracer_name(), None, "telemetry backends are not traced");
    let config = ResolvedConfig::literal(
        "plugins.telemetry_backend.config",
        json!({ "endpoint": "https://jaeger.example.com:4317", "headers": { "x-api-key": "k" } }),
    );

    let plugin = (descriptor.construct)(&config).unwrap();

    assert_eq!(
        plugin.generated_config().unwrap(),
        json!({ "exporter": {
            "kind": "otlp",
            "protocol": "grpc",
            "endpoint": "https://jaeger.example.com:4317",
            "insecure": false,
            "timeout_ms": 10000,
            "header_names": ["x-api-key"],
        } })
    );
}

#[test]
fn unknown_keys_and_unknown_protocols_are_refused_naming_the_path() {
    let descriptor = find(PluginCategory::TelemetryBackend, "jaeger").unwrap();
    for (config, named) in [
        (json!({ "endpont": "http://127.0.0.1:4317" }), "endpont"),
        (json!({ "protocol": "thrift" }), "protocol"),
    ] {
        let config = ResolvedConfig::literal("plugins.telemetry_backend.config", config);

        let error = (descriptor.construct)(&config).unwrap_err();

        assert_eq!(error.kind, PluginErrorKind::Config);
        let text = error.to_string();
        assert!(text.contains("plugins.telemetry_backend.config"), "{text}");
        assert!(text.contains(named), "{text}");
    }
}

#[test]
fn plain_text_to_a_remote_collector_needs_the_insecure_flag() {
    let remote = json!({ "endpoint": "http://jaeger.observability:4317" });

    let error = JaegerTelemetryPlugin::with_env(decode(remote.clone()), &no_env).unwrap_err();

    assert!(matches!(error, JaegerError::Config { .. }));
    assert!(error.to_string().contains("insecure"), "{error}");
    let mut insecure = remote;
    insecure["insecure"] = json!(true);
    let plugin = JaegerTelemetryPlugin::with_env(decode(insecure), &no_env).unwrap();
    let ExporterConfig::Otlp(otlp) = plugin.exporter_config() else { panic!("otlp expected") };
    assert!(otlp.insecure);
    assert_eq!(otlp.endpoint, "http://jaeger.observability:4317");
}

#[test]
fn credentials_in_the_endpoint_are_refused_without_repeating_them() {
    let secret = planted_secret();
    let config = decode(json!({ "endpoint": format!("https://floe:{secret}@jaeger.example.com") }));

    let error = JaegerTelemetryPlugin::with_env(config, &no_env).unwrap_err();

    assert!(error.to_string().contains("credentials"), "{error}");
    assert_text_clean("error", &error.to_string(), &secret);
    assert_text_clean("error debug", &format!("{error:?}"), &secret);
}

#[test]
fn the_endpoint_comes_from_the_traces_variable_then_the_general_one() {
    let both = |key: &str| match key {
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" => Some("http://127.0.0.1:14317".to_owned()),
        "OTEL_EXPORTER_OTLP_ENDPOINT" => Some("http://127.0.0.1:24317".to_owned()),
        _ => None,
    };
    let general = |key: &str| {
        (key == "OTEL_EXPORTER_OTLP_ENDPOINT").then(|| "https://collector:4317".to_owned())
    };

    let from_traces = JaegerTelemetryPlugin::with_env(decode(json!({})), &both).unwrap();
    let from_general = JaegerTelemetryPlugin::with_env(decode(json!({})), &general).unwrap();
    let configured = JaegerTelemetryPlugin::with_env(
        decode(json!({ "endpoint": "http://127.0.0.1:4317" })),
        &both,
    )
    .unwrap();
    let default = JaegerTelemetryPlugin::with_env(decode(json!({})), &no_env).unwrap();

    assert_eq!(from_traces.endpoint(), "http://127.0.0.1:14317");
    assert_eq!(from_general.endpoint(), "https://collector:4317");
    assert_eq!(configured.endpoint(), "http://127.0.0.1:4317", "the config wins");
    assert_eq!(default.endpoint(), "http://127.0.0.1:4317");
}

#[test]
fn http_protobuf_is_selected_by_config() {
    let config = decode(json!({ "protocol": "http/protobuf" }));

    let plugin = JaegerTelemetryPlugin::with_env(config, &no_env).unwrap();

    let ExporterConfig::Otlp(otlp) = plugin.exporter_config() else { panic!("otlp expected") };
    assert_eq!(otlp.protocol, OtlpProtocol::HttpProtobuf);
    assert_eq!(plugin.endpoint(), "http://127.0.0.1:4318");
    let section =
        TelemetryConfig { exporter: plugin.exporter_config(), ..TelemetryConfig::default() };
    section.validate().unwrap();
}

#[test]
fn helm_values_point_workloads_at_the_collector_without_header_values() {
    let secret = planted_secret();
    let config = decode(json!({
        "endpoint": "http://jaeger-collector.observability:4317",
        "insecure": true,
        "headers": { "x-api-key": secret },
    }));
    let plugin = JaegerTelemetryPlugin::with_env(config, &no_env).unwrap();

    let values = plugin.helm_values();

    assert_eq!(
        values["telemetry"]["env"],
        json!([
            { "name": "OTEL_TRACES_EXPORTER", "value": "otlp" },
            { "name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://jaeger-collector.observability:4317" },
            { "name": "OTEL_EXPORTER_OTLP_PROTOCOL", "value": "grpc" },
            { "name": "OTEL_EXPORTER_OTLP_INSECURE", "value": "true" },
        ])
    );
    assert_eq!(values["jaeger"]["collector"]["service"]["otlp"]["grpc"]["port"], 4317);
    assert_text_clean("helm values", &values.to_string(), &secret);
    let generated = floe_core::plugin::Plugin::generated_config(&plugin).unwrap();
    assert_text_clean("generated config", &generated.to_string(), &secret);
}

#[test]
fn a_zero_timeout_is_refused() {
    let error =
        JaegerTelemetryPlugin::with_env(decode(json!({ "timeout_ms": 0 })), &no_env).unwrap_err();

    assert_eq!(error.to_string(), "invalid configuration: timeout_ms must be at least 1");
}
