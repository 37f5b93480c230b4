//! A loopback Slack incoming webhook: checks each message's Block Kit structure and
//! Slack's documented limits, answers `ok` (or `invalid_blocks` with the problem, as Slack
//! does), or a scripted status.
//!
//! Self-contained (only crates the contract suite also has), so the contract row includes
//! it with `#[path]`.
#![expect(clippy::unwrap_used, reason = "test peer: a broken fixture should fail loudly")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use floe_otel_testkit::http::{LoopbackServer, RecordedRequest};
use serde_json::Value;

/// The webhook path; its last segments are the credential, as in Slack's URLs.
pub(crate) const HOOK_PATH: &str = "/services/T0FL0E/B0ALRT/q7XkWm2Lp9ZrT4vN";

/// A running webhook.
pub(crate) struct SlackWebhook {
    pub(crate) server: LoopbackServer,
}

impl SlackWebhook {
    /// A webhook answering the statuses of `script` in turn (with Slack's error words),
    /// then checking messages and answering `ok`.
    pub(crate) fn start(script: &'static [u16]) -> Self {
        let calls = Arc::new(AtomicUsize::new(0));
        let router = Router::new().route(
            HOOK_PATH,
            post(move |headers: HeaderMap, body: Bytes| {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if let Some(status) = script.get(n).copied() {
                        let word = match status {
                            404 => "channel_not_found",
                            429 => "rate_limited",
                            // A proxy in front of Slack that quotes the token it refused
                            // (a credential the plugin never sent, so only the sanitizer
                            // stands between it and the span).
                            403 => "invalid_auth: token xoxb-FLOETEST-281734-q9ZkVbN3LmP4",
                            _ => "internal_error",
                        };
                        return (StatusCode::from_u16(status).unwrap(), word.to_owned());
                    }
                    let json = headers
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| v.starts_with("application/json"));
                    if !json {
                        return (StatusCode::BAD_REQUEST, "invalid_payload".to_owned());
                    }
                    match serde_json::from_slice::<Value>(&body) {
                        Ok(message) => match check(&message) {
                            Ok(()) => (StatusCode::OK, "ok".to_owned()),
                            Err(problem) => {
                                (StatusCode::BAD_REQUEST, format!("invalid_blocks: {problem}"))
                            }
                        },
                        Err(_) => (StatusCode::BAD_REQUEST, "invalid_payload".to_owned()),
                    }
                }
            }),
        );
        Self { server: LoopbackServer::start(router) }
    }

    /// The webhook's URL.
    pub(crate) fn url(&self) -> String {
        self.server.url(HOOK_PATH)
    }

    /// The messages received.
    pub(crate) fn messages(&self) -> Vec<Value> {
        self.server.requests().iter().map(RecordedRequest::json).collect()
    }
}

fn text_of(object: &Value, what: &str, kinds: &[&str], max: usize) -> Result<(), String> {
    let kind = object["type"].as_str().unwrap_or_default();
    if !kinds.contains(&kind) {
        return Err(format!("{what}: text type {kind:?} is not one of {kinds:?}"));
    }
    let text = object["text"].as_str().ok_or_else(|| format!("{what}: no text"))?;
    let len = text.chars().count();
    if text.is_empty() || len > max {
        return Err(format!("{what}: text has {len} characters (1..={max})"));
    }
    Ok(())
}

/// Checks a message against the Block Kit rules floe uses and Slack's limits: `text`
/// present, at most 50 blocks; header `plain_text` <= 150; section `text` <= 3000 or 1..=10
/// `fields` <= 2000 each; context 1..=10 elements.
///
/// # Errors
/// The first problem found.
pub(crate) fn check(message: &Value) -> Result<(), String> {
    let fallback = message["text"].as_str().ok_or("no top-level text")?;
    if fallback.is_empty() || fallback.chars().count() > 40_000 {
        return Err("top-level text is empty or over 40000 characters".to_owned());
    }
    let blocks = message["blocks"].as_array().ok_or("no blocks")?;
    if blocks.is_empty() || blocks.len() > 50 {
        return Err(format!("{} blocks (1..=50)", blocks.len()));
    }
    for (i, block) in blocks.iter().enumerate() {
        let what = format!("blocks[{i}]");
        match block["type"].as_str().unwrap_or_default() {
            "header" => text_of(&block["text"], &what, &["plain_text"], 150)?,
            "section" => {
                let fields = block["fields"].as_array();
                if block.get("text").is_none() && fields.is_none() {
                    return Err(format!("{what}: a section needs text or fields"));
                }
                if block.get("text").is_some() {
                    text_of(&block["text"], &what, &["mrkdwn", "plain_text"], 3000)?;
                }
                if let Some(fields) = fields {
                    if fields.is_empty() || fields.len() > 10 {
                        return Err(format!("{what}: {} fields (1..=10)", fields.len()));
                    }
                    for field in fields {
                        text_of(field, &what, &["mrkdwn", "plain_text"], 2000)?;
                    }
                }
            }
            "context" => {
                let elements = block["elements"].as_array().ok_or("context without elements")?;
                if elements.is_empty() || elements.len() > 10 {
                    return Err(format!("{what}: {} context elements (1..=10)", elements.len()));
                }
                for element in elements {
                    text_of(element, &what, &["mrkdwn", "plain_text"], 2000)?;
                }
            }
            "divider" => {}
            other => return Err(format!("{what}: unknown block type {other:?}")),
        }
    }
    Ok(())
}
