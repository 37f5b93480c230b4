//! The Alertmanager API v2 body for a violation: a list with one postable alert.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use floe_core::plugin::categories::ContractViolation;
use serde_json::{Value, json};
use url::Url;

/// The labels floe sets; configured labels never replace them.
pub const FLOE_LABELS: [&str; 6] =
    ["alertname", "severity", "contract", "contract_version", "violation_type", "model"];

/// `[{ labels, annotations, startsAt, generatorURL? }]` for `violation`.
///
/// Labels identify the alert (Alertmanager groups and deduplicates by them): `alertname`,
/// `severity`, `contract`, `contract_version`, `violation_type`, `model` when known, and the
/// configured labels. Annotations carry the text: `summary` and `description` (the
/// message, the model and the details).
pub fn alerts(
    violation: &ContractViolation,
    alertname: &str,
    extra_labels: &BTreeMap<String, String>,
    generator_url: Option<&Url>,
) -> Value {
    let mut labels: BTreeMap<&str, &str> =
        extra_labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    labels.extend([
        ("alertname", alertname),
        ("severity", violation.severity.as_str()),
        ("contract", violation.contract_name.as_str()),
        ("contract_version", violation.contract_version.as_str()),
        ("violation_type", violation.violation_type.as_str()),
    ]);
    if let Some(model) = violation.affected_model.as_deref() {
        labels.insert("model", model);
    }
    let summary = format!(
        "[{}] Contract violation: {} v{} ({})",
        violation.severity.as_str().to_uppercase(),
        violation.contract_name,
        violation.contract_version,
        violation.violation_type
    );
    let mut alert = json!({
        "labels": labels,
        "annotations": { "summary": summary, "description": description(violation) },
        "startsAt": humantime::format_rfc3339_millis(violation.timestamp).to_string(),
    });
    if let Some(base) = generator_url {
        let mut link = base.clone();
        if let Ok(mut segments) = link.path_segments_mut() {
            segments.pop_if_empty().push(&violation.contract_name);
        }
        alert["generatorURL"] = link.as_str().into();
    }
    json!([alert])
}

fn description(violation: &ContractViolation) -> String {
    let mut text = violation.message.clone();
    if let Some(model) = &violation.affected_model {
        let _ = write!(text, "\nModel: {model}");
    }
    for (key, value) in &violation.details {
        let value = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
        let _ = write!(text, "\n{key}: {value}");
    }
    text
}
