//! The alert mail: subject `[SEVERITY] Contract Violation: <contract>`, and a
//! `multipart/alternative` body with a plain-text part and an HTML part.

use std::fmt::Write as _;

use floe_core::plugin::categories::ContractViolation;
use lettre::Message;
use lettre::message::{Mailbox, MultiPart, SinglePart, header::ContentType};

/// The subject line.
pub fn subject(violation: &ContractViolation) -> String {
    format!(
        "[{}] Contract Violation: {}",
        violation.severity.as_str().to_uppercase(),
        violation.contract_name
    )
}

/// The facts of the violation as label/value rows, shared by both parts.
fn rows(violation: &ContractViolation) -> Vec<(String, String)> {
    let mut rows = vec![
        (
            "Contract".to_owned(),
            format!("{} v{}", violation.contract_name, violation.contract_version),
        ),
        ("Violation".to_owned(), violation.violation_type.clone()),
        ("Severity".to_owned(), violation.severity.as_str().to_owned()),
        ("Model".to_owned(), violation.affected_model.clone().unwrap_or_else(|| "—".to_owned())),
        ("Detected".to_owned(), humantime::format_rfc3339_seconds(violation.timestamp).to_string()),
    ];
    for (key, value) in &violation.details {
        rows.push((key.clone(), value.as_str().map_or_else(|| value.to_string(), str::to_owned)));
    }
    rows
}

/// The plain-text part.
pub fn text_body(violation: &ContractViolation) -> String {
    let mut text = format!("{}\n\n{}\n\n", subject(violation), violation.message);
    for (label, value) in rows(violation) {
        let _ = writeln!(text, "{label}: {value}");
    }
    text.push_str("\n-- \nSent by floe data contracts\n");
    text
}

/// The HTML part; every value is escaped.
pub fn html_body(violation: &ContractViolation) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html><body>\n<h2>{}</h2>\n<p>{}</p>\n<table>\n",
        escape(&subject(violation)),
        escape(&violation.message)
    );
    for (label, value) in rows(violation) {
        let _ = writeln!(
            html,
            "<tr><th align=\"left\">{}</th><td>{}</td></tr>",
            escape(&label),
            escape(&value)
        );
    }
    html.push_str("</table>\n<p><small>Sent by floe data contracts</small></p>\n</body></html>\n");
    html
}

/// `text` with the five HTML-significant characters escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The whole message.
///
/// # Errors
/// When lettre cannot build it (no recipient).
pub fn message(
    violation: &ContractViolation,
    from: &Mailbox,
    to: &[Mailbox],
    cc: &[Mailbox],
) -> Result<Message, lettre::error::Error> {
    let mut builder = Message::builder().from(from.clone()).subject(subject(violation));
    for mailbox in to {
        builder = builder.to(mailbox.clone());
    }
    for mailbox in cc {
        builder = builder.cc(mailbox.clone());
    }
    builder.multipart(
        MultiPart::alternative()
            .singlepart(
                SinglePart::builder().header(ContentType::TEXT_PLAIN).body(text_body(violation)),
            )
            .singlepart(
                SinglePart::builder().header(ContentType::TEXT_HTML).body(html_body(violation)),
            ),
    )
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn html_significant_characters_are_escaped() {
        assert_eq!(
            escape(r#"<b a="1">Tom & 'Jerry'</b>"#),
            "&lt;b a=&quot;1&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }
}
