//! The CloudEvents 1.0 structured-mode envelope of a violation, and its HMAC signature.

use std::fmt::Write as _;

use floe_core::plugin::categories::ContractViolation;
use ring::{digest, hmac};
use serde_json::{Value, json};

use crate::config::EVENT_TYPE;

/// The content type of a structured-mode `CloudEvent` in JSON.
pub const CONTENT_TYPE: &str = "application/cloudevents+json; charset=utf-8";

/// The header carrying `sha256=<hex HMAC-SHA256 of the body>` when a signing secret is set.
pub const SIGNATURE_HEADER: &str = "x-floe-signature-256";

/// The envelope for `violation`: the required attributes (`specversion`, `id`, `source`,
/// `type`), `subject` (the contract), `time`, `datacontenttype` and the violation as
/// `data`.
pub fn envelope(violation: &ContractViolation, source: &str) -> Value {
    json!({
        "specversion": "1.0",
        "id": event_id(violation),
        "source": source,
        "type": EVENT_TYPE,
        "subject": violation.contract_name,
        "time": humantime::format_rfc3339_millis(violation.timestamp).to_string(),
        "datacontenttype": "application/json",
        "data": {
            "contract_name": violation.contract_name,
            "contract_version": violation.contract_version,
            "violation_type": violation.violation_type,
            "severity": violation.severity.as_str(),
            "message": violation.message,
            "affected_model": violation.affected_model,
            "timestamp": humantime::format_rfc3339_millis(violation.timestamp).to_string(),
            "details": violation.details,
        },
    })
}

/// A stable id: the same violation sent again (a retry, a replay) keeps its id, so a
/// receiver can drop duplicates as CloudEvents allows (`source` + `id` identify an event).
pub fn event_id(violation: &ContractViolation) -> String {
    let nanos =
        violation.timestamp.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mut context = digest::Context::new(&digest::SHA256);
    for part in [
        violation.contract_name.as_str(),
        violation.contract_version.as_str(),
        violation.violation_type.as_str(),
        violation.severity.as_str(),
        violation.message.as_str(),
        violation.affected_model.as_deref().unwrap_or_default(),
        &nanos.to_string(),
    ] {
        context.update(part.as_bytes());
        context.update(&[0]);
    }
    hex(&context.finish().as_ref()[..16])
}

/// `sha256=<hex>`: the HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    format!("sha256={}", hex(hmac::sign(&key, body).as_ref()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::signature;

    /// RFC 4231, test case 2.
    #[test]
    fn signature_matches_the_rfc_4231_vector() {
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
