//! The platform manifest: what a platform is made of.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::telemetry::TelemetryConfig;

/// The manifest format this build reads.
pub const MANIFEST_API_VERSION: &str = "floe/v1";

/// A platform manifest (`manifest.yaml`).
///
/// ```yaml
/// api_version: floe/v1
/// platform: { name: demo, namespace: analytics, product: { name: orders, version: 1.0.0 } }
/// telemetry: { exporter: { kind: console } }
/// plugins:
///   compute: { type: duckdb, config: { path: warehouse.duckdb } }
///   alert_channel:
///     - { type: slack, config: { webhook_url: "${secret:slack_webhook}" } }
/// ```
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformManifest {
    /// Must be [`MANIFEST_API_VERSION`].
    pub api_version: String,
    /// Who the platform is.
    pub platform: PlatformInfo,
    /// Telemetry settings.
    #[serde(default)]
    pub telemetry: TelemetryConfig,
    /// A YAML file of `name: value` secrets for `${secret:name}` references, relative to
    /// the manifest (for development; production reads `FLOE_SECRET_<NAME>` variables).
    #[serde(default)]
    pub secrets_file: Option<String>,
    /// Selected plugins by category key (`compute`, `alert_channel`, ...).
    #[serde(default)]
    pub plugins: BTreeMap<String, Selection>,
}

/// The platform's identity.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformInfo {
    /// Platform name.
    pub name: String,
    /// `floe.namespace`.
    pub namespace: String,
    /// The data product.
    #[serde(default)]
    pub product: crate::telemetry::ProductIdentity,
    /// `floe.mode`.
    #[serde(default)]
    pub mode: Option<String>,
}

/// One plugin, or several (several alert channels).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Selection {
    /// One plugin.
    One(PluginSpec),
    /// Several plugins.
    Many(Vec<PluginSpec>),
}

impl Selection {
    /// The selected plugins with their index (`None` for a single selection).
    pub fn specs(&self) -> Vec<(Option<usize>, &PluginSpec)> {
        match self {
            Self::One(spec) => vec![(None, spec)],
            Self::Many(specs) => specs.iter().enumerate().map(|(i, s)| (Some(i), s)).collect(),
        }
    }
}

/// A plugin selection: the implementation and its config.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginSpec {
    /// The plugin name within its category (`duckdb`, `slack`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The plugin's config; checked by the plugin's typed config.
    #[serde(default = "empty_config")]
    pub config: serde_json::Value,
}

fn empty_config() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

/// Only the telemetry section, read before the full manifest so compile's own spans can
/// be exported; anything else in the file is ignored here.
#[derive(Debug, Default, Deserialize)]
pub(super) struct TelemetrySection {
    /// The telemetry settings, if the manifest has them.
    #[serde(default)]
    pub(super) telemetry: Option<TelemetryConfig>,
}

/// Reads the telemetry section of a manifest file, if it can be read at all.
pub fn read_telemetry_section(path: &Path) -> Option<TelemetryConfig> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_saphyr::from_str::<TelemetrySection>(&text).ok()?.telemetry
}
