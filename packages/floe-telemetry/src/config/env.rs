//! The standard `OTEL_*` environment variables applied on top of a [`TelemetryConfig`].
//!
//! The environment is read through [`EnvSource`], so tests pass a closure instead of
//! changing the process environment that parallel tests share.

use std::collections::BTreeMap;

use super::{ConfigError, ExporterConfig, OtlpConfig, OtlpProtocol, SamplerKind, TelemetryConfig};
use crate::secret::Secret;

/// Where environment variables are read from.
pub trait EnvSource {
    /// The value of `key`, if set.
    fn var(&self, key: &str) -> Option<String>;
}

impl<F: Fn(&str) -> Option<String>> EnvSource for F {
    fn var(&self, key: &str) -> Option<String> {
        self(key)
    }
}

/// The process environment.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, key: &str) -> Option<String> {
        std::env::var(key).ok()
    }
}

/// Reads the traces-specific variable first, then the general one; returns the name that
/// was used so errors name the variable the user actually set.
fn otlp_var(env: &dyn EnvSource, suffix: &str) -> Option<(String, String)> {
    let specific = format!("OTEL_EXPORTER_OTLP_TRACES_{suffix}");
    let general = format!("OTEL_EXPORTER_OTLP_{suffix}");
    env.var(&specific)
        .map(|v| (specific, v))
        .or_else(|| env.var(&general).map(|v| (general, v)))
        .filter(|(_, v)| !v.trim().is_empty())
}

pub(super) fn apply(
    mut config: TelemetryConfig,
    env: &dyn EnvSource,
) -> Result<TelemetryConfig, ConfigError> {
    if let Some(value) = env.var("OTEL_SDK_DISABLED") {
        config.enabled = !parse_bool("OTEL_SDK_DISABLED", &value)?;
    }
    if let Some(name) = env.var("OTEL_SERVICE_NAME").filter(|v| !v.trim().is_empty()) {
        config.service_name = name;
    }
    if let Some(value) = env.var("OTEL_RESOURCE_ATTRIBUTES") {
        for (key, value) in parse_pairs("OTEL_RESOURCE_ATTRIBUTES", &value)? {
            config.resource_attributes.insert(key, value);
        }
    }
    apply_exporter(&mut config, env)?;
    if let Some(value) = env.var("OTEL_TRACES_SAMPLER") {
        config.sampling.sampler = SamplerKind::parse(value.trim()).ok_or_else(|| {
            ConfigError::invalid(
                "OTEL_TRACES_SAMPLER",
                format!(
                    "unknown sampler {:?}; expected always_on, always_off, traceidratio, \
                     parentbased_always_on, parentbased_always_off or parentbased_traceidratio",
                    value.trim()
                ),
            )
        })?;
    }
    if let Some(value) = env.var("OTEL_TRACES_SAMPLER_ARG") {
        let ratio: f64 = value.trim().parse().map_err(|_| {
            ConfigError::invalid(
                "OTEL_TRACES_SAMPLER_ARG",
                format!("{:?} is not a number", value.trim()),
            )
        })?;
        if !(0.0..=1.0).contains(&ratio) {
            return Err(ConfigError::invalid(
                "OTEL_TRACES_SAMPLER_ARG",
                format!("{ratio} is outside [0, 1]"),
            ));
        }
        config.sampling.ratio = ratio;
    }
    Ok(config)
}

fn apply_exporter(config: &mut TelemetryConfig, env: &dyn EnvSource) -> Result<(), ConfigError> {
    if let Some(kind) = env.var("OTEL_TRACES_EXPORTER") {
        config.exporter = match kind.trim() {
            "none" => ExporterConfig::None,
            "console" => ExporterConfig::Console { target: super::ConsoleTarget::default() },
            "otlp" => match &config.exporter {
                ExporterConfig::Otlp(_) => config.exporter.clone(),
                _ => ExporterConfig::Otlp(OtlpConfig::default()),
            },
            other => {
                return Err(ConfigError::invalid(
                    "OTEL_TRACES_EXPORTER",
                    format!("unsupported exporter {other:?}; expected otlp, console or none"),
                ));
            }
        };
    }
    // Parse every OTLP variable first: a bad value is an error even when it would not apply.
    let endpoint = otlp_var(env, "ENDPOINT").map(|(_, v)| v.trim().to_owned());
    let protocol = match otlp_var(env, "PROTOCOL") {
        Some((key, value)) => Some(match value.trim() {
            "grpc" => OtlpProtocol::Grpc,
            "http/protobuf" => OtlpProtocol::HttpProtobuf,
            other => {
                return Err(ConfigError::invalid(
                    &key,
                    format!("unsupported protocol {other:?}; expected grpc or http/protobuf"),
                ));
            }
        }),
        None => None,
    };
    let headers = match otlp_var(env, "HEADERS") {
        Some((key, value)) => Some(parse_pairs(&key, &value)?),
        None => None,
    };
    let insecure = match otlp_var(env, "INSECURE") {
        Some((key, value)) => Some(parse_bool(&key, &value)?),
        None => None,
    };
    let timeout_ms = match otlp_var(env, "TIMEOUT") {
        Some((key, value)) => Some(value.trim().parse::<u64>().map_err(|_| {
            ConfigError::invalid(
                &key,
                format!("{:?} is not a number of milliseconds", value.trim()),
            )
        })?),
        None => None,
    };
    // An endpoint, protocol or headers in the environment select OTLP, unless
    // OTEL_TRACES_EXPORTER chose another exporter explicitly.
    let selects_otlp = endpoint.is_some() || protocol.is_some() || headers.is_some();
    let explicitly_other = env.var("OTEL_TRACES_EXPORTER").is_some_and(|v| v.trim() != "otlp");
    if selects_otlp && !explicitly_other && !matches!(config.exporter, ExporterConfig::Otlp(_)) {
        config.exporter = ExporterConfig::Otlp(OtlpConfig::default());
    }
    let ExporterConfig::Otlp(otlp) = &mut config.exporter else {
        return Ok(());
    };
    if let Some(endpoint) = endpoint {
        otlp.endpoint = endpoint;
    }
    if let Some(protocol) = protocol {
        otlp.protocol = protocol;
    }
    if let Some(headers) = headers {
        otlp.headers = headers.into_iter().map(|(k, v)| (k, Secret::new(v))).collect();
    }
    if let Some(insecure) = insecure {
        otlp.insecure = insecure;
    }
    if let Some(timeout_ms) = timeout_ms {
        otlp.timeout_ms = timeout_ms;
    }
    Ok(())
}

fn parse_bool(key: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" | "" => Ok(false),
        other => Err(ConfigError::invalid(key, format!("{other:?} is not true or false"))),
    }
}

/// Parses the W3C-baggage-like `key1=value1,key2=value2` lists of `OTEL_RESOURCE_ATTRIBUTES`
/// and `OTEL_EXPORTER_OTLP_HEADERS`, percent-decoding both sides.
///
/// Errors name the entry by position, never by content: header values are secrets.
fn parse_pairs(key: &str, value: &str) -> Result<BTreeMap<String, String>, ConfigError> {
    let mut out = BTreeMap::new();
    for (index, entry) in value.split(',').enumerate() {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        let position = index + 1;
        let Some((name, val)) = entry.split_once('=') else {
            return Err(ConfigError::invalid(key, format!("entry {position} has no '='")));
        };
        let name = percent_decode(name.trim()).ok_or_else(|| {
            ConfigError::invalid(key, format!("entry {position} has a bad %-escape in its name"))
        })?;
        if name.is_empty() {
            return Err(ConfigError::invalid(key, format!("entry {position} has an empty name")));
        }
        let val = percent_decode(val.trim()).ok_or_else(|| {
            ConfigError::invalid(key, format!("entry {position} has a bad %-escape in its value"))
        })?;
        out.insert(name, val);
    }
    Ok(out)
}

/// Decodes `%XX` escapes; `None` on a malformed escape or a result that is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
