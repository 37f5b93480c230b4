//! The Block Kit message for a violation, kept inside Slack's limits: text that is too
//! long is cut (on a character boundary, never inside an escape, ending in `…`) rather
//! than rejected.

use floe_core::plugin::categories::{ContractViolation, Severity};
use serde_json::{Value, json};

/// Slack's documented limits, in characters.
pub mod limits {
    /// Blocks in one message.
    pub const BLOCKS: usize = 50;
    /// A header block's `plain_text`.
    pub const HEADER_TEXT: usize = 150;
    /// A section block's `text`.
    pub const SECTION_TEXT: usize = 3000;
    /// Fields in one section block.
    pub const SECTION_FIELDS: usize = 10;
    /// One field's text.
    pub const FIELD_TEXT: usize = 2000;
    /// Elements in a context block.
    pub const CONTEXT_ELEMENTS: usize = 10;
    /// The top-level `text` (the notification fallback); Slack truncates past 40,000 and
    /// recommends far less, so floe keeps it short.
    pub const FALLBACK_TEXT: usize = 3000;
}

const ELLIPSIS: char = '…';

/// The fields every message has before the violation's details.
const FIXED_FIELDS: usize = 4;

/// The message: a header with the severity, the facts as fields, the message, and a
/// context line; `channel` and `username` are added when configured.
pub fn message(
    violation: &ContractViolation,
    channel: Option<&str>,
    username: Option<&str>,
) -> Value {
    let severity = violation.severity.as_str().to_uppercase();
    let header = format!("{} {severity}: contract violation", emoji(violation.severity));
    let mut fields = vec![
        field("Contract", &format!("{} v{}", violation.contract_name, violation.contract_version)),
        field("Violation", &violation.violation_type),
        field("Severity", violation.severity.as_str()),
        field("Model", violation.affected_model.as_deref().unwrap_or("—")),
    ];
    let room = limits::SECTION_FIELDS - FIXED_FIELDS;
    let details: Vec<_> = violation.details.iter().collect();
    for (i, (key, value)) in details.iter().enumerate() {
        if i + 1 == room && details.len() > room {
            let more = details.len() - i;
            fields.push(field("More details", &format!("{more} more not shown")));
            break;
        }
        let value = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
        fields.push(field(key, &value));
    }
    let time = humantime::format_rfc3339_seconds(violation.timestamp);
    let mut message = json!({
        "text": plain(
            &format!("[{severity}] Contract violation: {}: {}", violation.contract_name, violation.message),
            limits::FALLBACK_TEXT,
        ),
        "blocks": [
            { "type": "header", "text": { "type": "plain_text", "text": plain(&header, limits::HEADER_TEXT), "emoji": true } },
            { "type": "section", "fields": fields },
            { "type": "section", "text": { "type": "mrkdwn", "text": mrkdwn(&violation.message, limits::SECTION_TEXT) } },
            { "type": "context", "elements": [
                { "type": "mrkdwn", "text": mrkdwn(&format!("Detected {time} by floe data contracts"), limits::FIELD_TEXT) }
            ] },
        ],
    });
    if let Some(channel) = channel {
        message["channel"] = channel.into();
    }
    if let Some(username) = username {
        message["username"] = username.into();
    }
    message
}

fn emoji(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => ":rotating_light:",
        Severity::Error => ":red_circle:",
        Severity::Warning => ":warning:",
        Severity::Info => ":information_source:",
    }
}

fn field(label: &str, value: &str) -> Value {
    let label = mrkdwn(label, 100);
    let budget = limits::FIELD_TEXT - label.chars().count() - 3;
    json!({ "type": "mrkdwn", "text": format!("*{label}*\n{}", mrkdwn(value, budget)) })
}

/// `text` escaped for `mrkdwn` (`&`, `<`, `>`), cut to at most `max` characters.
pub fn mrkdwn(text: &str, max: usize) -> String {
    fit(text, max, |c| match c {
        '&' => "&amp;".into(),
        '<' => "&lt;".into(),
        '>' => "&gt;".into(),
        other => other.to_string(),
    })
}

/// `text` cut to at most `max` characters.
pub fn plain(text: &str, max: usize) -> String {
    fit(text, max, |c| c.to_string())
}

/// Appends each character's escaped form while the result stays within `max` characters,
/// keeping room for the ellipsis when something had to be cut.
fn fit(text: &str, max: usize, escape: impl Fn(char) -> String) -> String {
    let pieces: Vec<String> = text.chars().map(escape).collect();
    let total: usize = pieces.iter().map(|p| p.chars().count()).sum();
    if total <= max {
        return pieces.concat();
    }
    let mut out = String::new();
    let mut used = 0;
    for piece in pieces {
        let len = piece.chars().count();
        if used + len + 1 > max {
            break;
        }
        out.push_str(&piece);
        used += len;
    }
    out.push(ELLIPSIS);
    out
}

#[cfg(test)]
mod tests {
    use super::{mrkdwn, plain};

    #[test]
    fn text_within_the_limit_is_kept_escaped() {
        assert_eq!(mrkdwn("a < b & c", 100), "a &lt; b &amp; c");
        assert_eq!(plain("ünïcödé", 7), "ünïcödé");
    }

    #[test]
    fn text_over_the_limit_is_cut_on_a_boundary_with_an_ellipsis() {
        assert_eq!(plain("ünïcödé", 4), "ünï…");
        let cut = mrkdwn("ab<<<<", 9);
        assert_eq!(cut, "ab&lt;…", "never inside an escape");
        assert!(cut.chars().count() <= 9);
    }
}
