//! Tests of manifest loading and `OTEL_*` overrides.

use std::collections::HashMap;

use super::{ConfigError, ExporterConfig, OtlpProtocol, SamplerKind, TelemetryConfig};

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    move |key| map.get(key).cloned()
}

fn invalid_key(error: &ConfigError) -> &str {
    match error {
        ConfigError::Invalid { key, .. } => key,
        ConfigError::Yaml(_) => panic!("expected an invalid value, got {error}"),
    }
}

#[test]
fn full_manifest_section_loads() {
    let yaml = r#"
enabled: true
service_name: floe-platform
namespace: analytics
product: { name: orders, version: 1.2.0 }
mode: prod
exporter:
  kind: otlp
  protocol: http/protobuf
  endpoint: https://collector.example.com:4318
  headers: { x-api-key: "k-123" }
sampling: { sampler: parentbased_traceidratio, ratio: 0.25 }
resource_attributes: { deployment.environment: prod }
"#;
    let config = TelemetryConfig::from_yaml(yaml).unwrap();
    assert_eq!(config.service_name, "floe-platform");
    assert_eq!(config.product.version.as_deref(), Some("1.2.0"));
    assert_eq!(config.sampling.sampler, SamplerKind::ParentbasedTraceidratio);
    let ExporterConfig::Otlp(otlp) = &config.exporter else { panic!("otlp expected") };
    assert_eq!(otlp.protocol, OtlpProtocol::HttpProtobuf);
    assert_eq!(otlp.headers["x-api-key"].expose(), "k-123");
    assert!(!format!("{config:?}").contains("k-123"), "header value leaked through Debug");
}

#[test]
fn empty_section_gives_defaults_with_no_exporter() {
    let config = TelemetryConfig::from_yaml("{}").unwrap();
    assert_eq!(config, TelemetryConfig::default());
    assert!(matches!(config.exporter, ExporterConfig::None));
}

#[test]
fn unknown_keys_and_bad_types_are_errors() {
    let err = TelemetryConfig::from_yaml("servce_name: typo\n").unwrap_err();
    assert!(err.to_string().contains("servce_name"), "{err}");
    let err = TelemetryConfig::from_yaml("sampling: { ratio: lots }\n").unwrap_err();
    assert!(matches!(err, ConfigError::Yaml(_)), "{err}");
    let err = TelemetryConfig::from_yaml("exporter: { kind: zipkin }\n").unwrap_err();
    assert!(err.to_string().contains("zipkin"), "{err}");
}

#[test]
fn out_of_range_values_name_their_key() {
    let err = TelemetryConfig::from_yaml("sampling: { ratio: 1.5 }\n").unwrap_err();
    assert_eq!(invalid_key(&err), "telemetry.sampling.ratio");
    let err = TelemetryConfig::from_yaml("service_name: '  '\n").unwrap_err();
    assert_eq!(invalid_key(&err), "telemetry.service_name");
    let err =
        TelemetryConfig::from_yaml("exporter: { kind: otlp, endpoint: 'http://collector:4317' }\n")
            .unwrap_err();
    assert_eq!(invalid_key(&err), "telemetry.exporter.endpoint");
    let ok = "exporter: { kind: otlp, endpoint: 'http://collector:4317', insecure: true }\n";
    assert!(TelemetryConfig::from_yaml(ok).is_ok());
}

#[test]
fn endpoint_with_credentials_is_rejected_without_echoing_them() {
    let yaml = "exporter: { kind: otlp, endpoint: 'https://u:hunter2@collector:4317' }\n";
    let err = TelemetryConfig::from_yaml(yaml).unwrap_err();
    assert_eq!(invalid_key(&err), "telemetry.exporter.endpoint");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[test]
fn env_overrides_the_manifest() {
    let base = TelemetryConfig::from_yaml("service_name: from-manifest\n").unwrap();
    let config = base
        .with_env(&env(&[
            ("OTEL_SERVICE_NAME", "from-env"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20abc,x-tenant=acme"),
            ("OTEL_TRACES_SAMPLER", "traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.5"),
            ("OTEL_RESOURCE_ATTRIBUTES", "team=data,region=eu%2Dwest"),
        ]))
        .unwrap();
    assert_eq!(config.service_name, "from-env");
    assert_eq!(config.sampling.sampler, SamplerKind::Traceidratio);
    assert!((config.sampling.ratio - 0.5).abs() < f64::EPSILON);
    assert_eq!(config.resource_attributes["region"], "eu-west");
    let ExporterConfig::Otlp(otlp) = &config.exporter else { panic!("otlp expected") };
    assert_eq!(otlp.protocol, OtlpProtocol::Grpc);
    assert_eq!(otlp.headers["authorization"].expose(), "Bearer abc");
}

#[test]
fn traces_specific_variables_win_over_general_ones() {
    let config = TelemetryConfig::default()
        .with_env(&env(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:2"),
        ]))
        .unwrap();
    let ExporterConfig::Otlp(otlp) = &config.exporter else { panic!("otlp expected") };
    assert_eq!(otlp.endpoint, "http://127.0.0.1:2");
}

#[test]
fn sdk_disabled_and_exporter_none_switch_telemetry_off() {
    let config =
        TelemetryConfig::default().with_env(&env(&[("OTEL_SDK_DISABLED", "TRUE")])).unwrap();
    assert!(!config.enabled);
    let console = TelemetryConfig::from_yaml("exporter: { kind: console }\n").unwrap();
    let config = console.with_env(&env(&[("OTEL_TRACES_EXPORTER", "none")])).unwrap();
    assert!(matches!(config.exporter, ExporterConfig::None));
}

#[test]
fn bad_env_values_name_the_variable_and_never_the_header_value() {
    let cases = [
        ("OTEL_SDK_DISABLED", "maybe"),
        ("OTEL_TRACES_SAMPLER", "sometimes"),
        ("OTEL_TRACES_SAMPLER_ARG", "2.0"),
        ("OTEL_TRACES_SAMPLER_ARG", "half"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
        ("OTEL_TRACES_EXPORTER", "zipkin"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon"),
        ("OTEL_RESOURCE_ATTRIBUTES", "novalue"),
    ];
    for (key, value) in cases {
        let err = TelemetryConfig::default().with_env(&env(&[(key, value)])).unwrap_err();
        assert_eq!(invalid_key(&err), key, "{err}");
    }
    let secret_headers = "authorization=Bearer s3cr3t-token,broken-entry-s3cr3t";
    let err = TelemetryConfig::default()
        .with_env(&env(&[("OTEL_EXPORTER_OTLP_HEADERS", secret_headers)]))
        .unwrap_err();
    assert_eq!(invalid_key(&err), "OTEL_EXPORTER_OTLP_HEADERS");
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
    let bad_escape = "authorization=Bearer%zzs3cr3t";
    let err = TelemetryConfig::default()
        .with_env(&env(&[("OTEL_EXPORTER_OTLP_HEADERS", bad_escape)]))
        .unwrap_err();
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
}
