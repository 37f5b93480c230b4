//! The CloudEvents 1.0 structured-mode envelope of a violation, and its HMAC signature.
//!
//! # The signature
//! With a signing secret, every delivery carries two headers:
//! - [`TIMESTAMP_HEADER`] `x-floe-signature-timestamp: <t>`: when the delivery was
//!   signed, in whole seconds since the Unix epoch;
//! - [`SIGNATURE_HEADER`] `x-floe-signature-256: sha256=<hex>`: the HMAC-SHA256, under the
//!   secret, of `<t>.<body>` (the timestamp's decimal digits, a full stop, then the exact
//!   bytes of the body).
//!
//! A receiver recomputes the HMAC over the timestamp header, `.` and the body it got,
//! compares it with the signature in constant time, and refuses a delivery whose
//! timestamp is further from its own clock than it tolerates (five minutes is usual), so
//! a captured delivery cannot be replayed later. Retries of one delivery carry the same
//! timestamp and signature (and the same CloudEvents `id`, for deduplication).

use std::fmt::Write as _;

use floe_core::plugin::categories::ContractViolation;
use ring::{digest, hmac};
use serde_json::{Value, json};

use crate::config::EVENT_TYPE;

/// The content type of a structured-mode `CloudEvent` in JSON.
pub const CONTENT_TYPE: &str = "application/cloudevents+json; charset=utf-8";

/// The header carrying `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` when a
/// signing secret is set.
pub const SIGNATURE_HEADER: &str = "x-floe-signature-256";

/// The header carrying the signed send time (seconds since the Unix epoch).
pub const TIMESTAMP_HEADER: &str = "x-floe-signature-timestamp";

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

/// `sha256=<hex>`: the HMAC-SHA256 under `secret` of `<timestamp>.<body>` (see the
/// [module documentation](self)).
///
/// # Examples
/// ```
/// use floe_alert_webhook::event::signature;
/// let signed = signature(b"whsec", 1_700_000_000, br#"{"id":"1"}"#);
/// assert!(signed.starts_with("sha256=") && signed.len() == 7 + 64);
/// assert_ne!(signed, signature(b"whsec", 1_700_000_001, br#"{"id":"1"}"#));
/// ```
pub fn signature(secret: &[u8], timestamp: u64, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let mut context = hmac::Context::with_key(&key);
    context.update(timestamp.to_string().as_bytes());
    context.update(b".");
    context.update(body);
    format!("sha256={}", hex(context.sign().as_ref()))
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

    /// RFC 4231's test case 2 key and data, signed as `<timestamp>.<data>` (the expected
    /// value computed independently, with Python's `hmac` module).
    #[test]
    fn signature_covers_the_timestamp_a_full_stop_and_the_body() {
        assert_eq!(
            signature(b"Jefe", 1_700_000_000, b"what do ya want for nothing?"),
            "sha256=1cdd0650c8be1cb0974b1788d458b1e781206cfef59b85faafc582d2e182c57e"
        );
    }
}
