//! A loopback CloudEvents receiver: every request is checked against the CloudEvents 1.0
//! JSON schema and the structured-mode rules, its HMAC-SHA256 signature over
//! `<timestamp>.<body>` is verified when the receiver knows the secret (and a timestamp
//! more than [`TOLERANCE_SECS`] from the receiver's clock refused, as a replay), and it
//! answers a scripted status (202 by default).
//!
//! Self-contained (only crates the contract suite also has), so the contract row includes
//! it with `#[path]`.
#![expect(clippy::unwrap_used, reason = "test peer: a broken fixture should fail loudly")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use floe_otel_testkit::http::{LoopbackServer, RecordedRequest};
use serde_json::Value;

/// How far a signed timestamp may be from the receiver's clock: five minutes, as the
/// plugin's documentation recommends.
pub(crate) const TOLERANCE_SECS: u64 = 300;

/// The receiver's clock, in seconds since the Unix epoch.
pub(crate) fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// The receiver's path; like many webhook URLs, its last segment is the credential.
pub(crate) const HOOK_PATH: &str = "/hooks/T04QX9B07-xq8v3Lr2NcWbZ";

static SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(include_str!("../data/cloudevents.json")).unwrap();
    jsonschema::options().should_validate_formats(true).build(&schema).unwrap()
});

/// A running receiver.
pub(crate) struct Receiver {
    pub(crate) server: LoopbackServer,
}

impl Receiver {
    /// A receiver that verifies signatures with `secret` (when given) and answers the
    /// statuses of `script` in turn, then 202.
    pub(crate) fn start(secret: Option<&str>, script: &'static [u16]) -> Self {
        let secret = secret.map(str::to_owned);
        let calls = Arc::new(AtomicUsize::new(0));
        let router = Router::new().route(
            HOOK_PATH,
            post(move |headers: HeaderMap, body: Bytes| {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                let secret = secret.clone();
                async move {
                    let header = |name: &str| {
                        headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
                    };
                    let signed = Signed {
                        signature: header("x-floe-signature-256"),
                        timestamp: header("x-floe-signature-timestamp"),
                    };
                    let content_type = header("content-type");
                    if let Err(problem) =
                        check(content_type.as_deref(), &signed, &body, secret.as_deref(), now())
                    {
                        return (StatusCode::BAD_REQUEST, problem);
                    }
                    let status = script.get(n).copied().unwrap_or(202);
                    // A 401 quotes a credential of its own, as gateways in front of
                    // receivers do: one the plugin never sent, so only the sanitizer
                    // keeps it off the span.
                    let body = if status == 401 {
                        "unauthorized: api_key=FLOETEST-gw-k3y-9Qz7wX"
                    } else {
                        ""
                    };
                    (StatusCode::from_u16(status).unwrap(), body.to_owned())
                }
            }),
        );
        Self { server: LoopbackServer::start(router) }
    }

    /// The receiver's URL (with its secret path).
    pub(crate) fn url(&self) -> String {
        self.server.url(HOOK_PATH)
    }

    /// The envelopes received.
    pub(crate) fn events(&self) -> Vec<Value> {
        self.server.requests().iter().map(RecordedRequest::json).collect()
    }
}

/// The signature headers of a delivery.
#[derive(Clone, Debug, Default)]
pub(crate) struct Signed {
    /// `x-floe-signature-256`.
    pub(crate) signature: Option<String>,
    /// `x-floe-signature-timestamp`.
    pub(crate) timestamp: Option<String>,
}

/// Checks one delivery: content type, schema, structured-mode rules, and, when `secret`
/// is given, the signature: over `<timestamp>.<body>`, with a timestamp at most
/// [`TOLERANCE_SECS`] from `now`.
///
/// # Errors
/// What is wrong, in words.
pub(crate) fn check(
    content_type: Option<&str>,
    signed: &Signed,
    body: &[u8],
    secret: Option<&str>,
    now: u64,
) -> Result<Value, String> {
    let media_type = content_type.unwrap_or_default().split(';').next().unwrap_or_default();
    if media_type.trim() != "application/cloudevents+json" {
        return Err(format!("not structured mode: content-type {content_type:?}"));
    }
    let event: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let errors: Vec<String> = SCHEMA.iter_errors(&event).map(|e| e.to_string()).collect();
    if !errors.is_empty() {
        return Err(format!("not a CloudEvent: {}", errors.join("; ")));
    }
    if event["specversion"] != "1.0" {
        return Err(format!("specversion {} is not 1.0", event["specversion"]));
    }
    if event.get("data").is_some() && event.get("data_base64").is_some() {
        return Err("both data and data_base64".to_owned());
    }
    if let Some(secret) = secret {
        let hex = signed
            .signature
            .as_deref()
            .and_then(|s| s.strip_prefix("sha256="))
            .ok_or_else(|| "missing x-floe-signature-256: sha256=<hex>".to_owned())?;
        let tag = decode_hex(hex).ok_or_else(|| "the signature is not hex".to_owned())?;
        let timestamp = signed
            .timestamp
            .as_deref()
            .ok_or_else(|| "missing x-floe-signature-timestamp".to_owned())?;
        let seconds: u64 = timestamp
            .parse()
            .map_err(|_| "x-floe-signature-timestamp is not a number of seconds".to_owned())?;
        let mut signed_payload = format!("{timestamp}.").into_bytes();
        signed_payload.extend_from_slice(body);
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
        ring::hmac::verify(&key, &signed_payload, &tag)
            .map_err(|_| "the signature does not verify")?;
        let skew = now.abs_diff(seconds);
        if skew > TOLERANCE_SECS {
            return Err(format!(
                "the signature is stale: signed {skew} s from the receiver's clock (tolerance {TOLERANCE_SECS} s)"
            ));
        }
    }
    Ok(event)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}
