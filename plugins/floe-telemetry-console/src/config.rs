//! Configuration of the console telemetry backend.

use floe_core::telemetry::ConsoleTarget;
use serde::Deserialize;

/// `plugins.telemetry_backend.config` for `type: console`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleConfig {
    /// The stream span lines go to: `stderr` (default, so command output on standard output
    /// stays parseable) or `stdout`.
    #[serde(default)]
    pub target: ConsoleTarget,
}

/// The JSON schema of [`ConsoleConfig`].
pub fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "target": { "type": "string", "enum": ["stderr", "stdout"], "default": "stderr" }
        }
    })
}
