//! `sanitize_error_message`: the one place where text is made safe to put on a span.
//!
//! The sanitizer replaces credentials with [`MARKER`] and truncates the result to a
//! character budget. It recognises URL user info (any characters in the password),
//! key/value secrets in the usual notations (`k=v`, `k: v`, JSON, Python reprs, query
//! strings), HTTP authorization and cookie headers, bearer tokens, Slack/Discord/Teams
//! webhook URLs, e-mail addresses (local part), PEM and OpenSSH private keys, and
//! provider token shapes (AWS, GitHub, GitLab, Slack, Stripe, Google, JWT and more).
//! Names and paths of secrets (`secret_name=prod/db`, `secret not found: prod/db/password`)
//! and ordinary words (`password policy`, `token bucket`) stay readable.
//!
//! It never fails, never panics, runs in time linear in the input, and is idempotent:
//! sanitizing its own output changes nothing.

mod patterns;

use std::borrow::Cow;
use std::fmt;

/// What a redacted value is replaced with.
pub const MARKER: &str = "<REDACTED>";

/// Appended when a message is cut to its character budget.
pub const ELLIPSIS: char = '…';

/// The default character budget of a sanitized message (FR-014).
pub const DEFAULT_MAX_LEN: usize = 500;

/// Text that went through [`sanitize_error_message`], or a literal the code chose.
///
/// Span statuses and exception events in floe only accept this type, so an unsanitized
/// error cannot reach a span by accident.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SanitizedMessage(Cow<'static, str>);

impl SanitizedMessage {
    /// Wraps a string literal written in the source code.
    ///
    /// Only for fixed texts chosen by the programmer (`"health check failed"`); anything
    /// built at run time goes through [`sanitize_error_message`].
    pub const fn from_static(text: &'static str) -> Self {
        Self(Cow::Borrowed(text))
    }

    /// The sanitized text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The sanitized text as an owned string.
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }

    /// Takes the text for an OpenTelemetry string value without copying a literal.
    pub(crate) fn into_cow(self) -> Cow<'static, str> {
        self.0
    }
}

impl fmt::Display for SanitizedMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for SanitizedMessage {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Redacts credentials from `message` and truncates it to [`DEFAULT_MAX_LEN`] characters.
///
/// # Examples
/// ```
/// use floe_telemetry::sanitize_error_message;
///
/// let clean = sanitize_error_message("connect failed: postgres://app:p@ss/w0rd@db:5432/x");
/// assert_eq!(clean.as_str(), "connect failed: postgres://<REDACTED>@db:5432/x");
///
/// let kept = sanitize_error_message("secret not found: prod/db/password");
/// assert_eq!(kept.as_str(), "secret not found: prod/db/password");
/// ```
pub fn sanitize_error_message(message: &str) -> SanitizedMessage {
    sanitize_with_max_len(message, DEFAULT_MAX_LEN)
}

/// Like [`sanitize_error_message`] with a character budget of `max_len`.
///
/// Truncation happens after redaction, so a secret cut in half by the budget has already
/// been replaced; the cut never splits a UTF-8 character or a [`MARKER`], and the
/// result, [`ELLIPSIS`] included, has at most `max_len` characters.
///
/// # Examples
/// ```
/// use floe_telemetry::sanitize_with_max_len;
///
/// let short = sanitize_with_max_len("token=abc123 and then a long explanation", 22);
/// assert_eq!(short.as_str(), "token=<REDACTED> and …");
/// ```
pub fn sanitize_with_max_len(message: &str, max_len: usize) -> SanitizedMessage {
    if crate::fault::sanitizer_bypassed(message, max_len) {
        return SanitizedMessage(Cow::Owned(message.to_owned()));
    }
    let redacted = redact(message);
    let Some(mut current) = truncate(&redacted, max_len) else {
        // Nothing was cut: redaction alone is idempotent, so this is already final.
        return SanitizedMessage(Cow::Owned(redacted.into_owned()));
    };
    // A cut can turn a terminated private-key block into an unterminated one, or leave
    // a key right before the ellipsis; redacting again until nothing changes keeps the
    // result a fixed point, which is what makes the sanitizer idempotent. Two rounds
    // suffice for every shape here; the bound is a guard with a safe answer.
    for _ in 0..4 {
        let again = redact(&current);
        if again == current.as_str() {
            return SanitizedMessage(Cow::Owned(current));
        }
        current = truncate(&again, max_len).unwrap_or_else(|| again.into_owned());
    }
    SanitizedMessage(Cow::Owned(MARKER.chars().take(max_len).collect()))
}

/// Replaces every recognised credential in `message` with [`MARKER`].
fn redact(message: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    for found in patterns::PATTERNS.find_iter(message.as_bytes()) {
        // Matches start and end on ASCII bytes (see `patterns`); widening to character
        // boundaries only guards that invariant, it never changes a match.
        let (start, end) = char_bounds(message, found.start(), found.end());
        if start < copied {
            continue;
        }
        out.push_str(&message[copied..start]);
        replace(
            patterns::Kind::from_pattern(found.pattern().as_usize()),
            &message[start..end],
            &mut out,
        );
        copied = end;
    }
    if copied == 0 && out.is_empty() {
        return Cow::Borrowed(message);
    }
    out.push_str(&message[copied..]);
    Cow::Owned(out)
}

fn char_bounds(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    end = end.min(text.len());
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    (start, end)
}

/// Writes the redacted form of one match.
fn replace(kind: patterns::Kind, text: &str, dst: &mut String) {
    use patterns::Kind;
    match kind {
        Kind::Reference => dst.push_str(text),
        Kind::PrivateKey | Kind::ValueShape => dst.push_str(MARKER),
        Kind::Webhook => {
            let keep = webhook_prefix_len(text);
            dst.push_str(&text[..keep]);
            dst.push_str(redacted(&text[keep..]));
        }
        Kind::UrlUserinfo => {
            let scheme_end = text.find("://").map_or(0, |at| at + 3);
            dst.push_str(&text[..scheme_end]);
            dst.push_str(MARKER);
            dst.push('@');
        }
        Kind::AuthHeader => {
            let value_start = after_separator(text);
            dst.push_str(&text[..value_start]);
            push_header_value(&text[value_start..], dst);
        }
        Kind::Cookie => {
            let value_start = after_separator(text);
            dst.push_str(&text[..value_start]);
            dst.push_str(redacted(&text[value_start..]));
        }
        Kind::Bearer => {
            let value_start = "bearer".len() + text["bearer".len()..].len()
                - text["bearer".len()..].trim_start_matches([' ', '\t']).len();
            let value = &text[value_start..];
            dst.push_str(&text[..value_start]);
            dst.push_str(if looks_like_credential(value) { MARKER } else { value });
        }
        Kind::KeyValue => {
            let value_start = after_separator(text);
            dst.push_str(&text[..value_start]);
            push_value(&text[value_start..], dst);
        }
        Kind::Email => {
            let at = text.find('@').unwrap_or(0);
            dst.push_str(MARKER);
            dst.push_str(&text[at..]);
        }
    }
}

/// Where the value starts in `key<ws>op<ws>value`: after the first `=` or `:` (two
/// characters for `=>` and `:=`) and the blanks around it. Keys never contain either.
fn after_separator(text: &str) -> usize {
    let Some(op) = text.find(['=', ':']) else {
        return text.len();
    };
    let rest = &text[op..];
    let op_len = if rest.starts_with("=>") || rest.starts_with(":=") { 2 } else { 1 };
    let after_op = &text[op + op_len..];
    text.len() - after_op.trim_start_matches([' ', '\t']).len()
}

/// Length of the part of a webhook URL that is kept: scheme, host and the fixed path that
/// precedes the credential.
fn webhook_prefix_len(text: &str) -> usize {
    const PATHS: [&str; 6] =
        ["/services/", "/workflows/", "/triggers/", "/api/webhooks/", "/webhookb2/", "/webhook/"];
    let lower = text.to_ascii_lowercase();
    let after_scheme = lower.find("://").map_or(0, |at| at + 3);
    PATHS
        .iter()
        .filter_map(|path| {
            lower[after_scheme..].find(path).map(|at| after_scheme + at + path.len())
        })
        .min()
        .unwrap_or(text.len())
}

/// The replacement for a secret value: the marker, unless the value is already the
/// marker or only what truncation left (an ellipsis), which keeps the output of a
/// previous pass a fixed point.
fn redacted(value: &str) -> &str {
    if value == MARKER || is_ellipsis(value) { value } else { MARKER }
}

/// Writes a redacted value, keeping the quotes around it so JSON and reprs stay readable.
/// An empty quoted value (`password=""`) hides nothing and is kept.
fn push_value(value: &str, dst: &mut String) {
    match value.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let closed = value.len() > 1 && value.ends_with(quote);
            let inner = &value[1..value.len() - usize::from(closed)];
            dst.push(quote);
            dst.push_str(if inner.is_empty() { inner } else { redacted(inner) });
            if closed {
                dst.push(quote);
            }
        }
        _ => dst.push_str(redacted(value)),
    }
}

/// Writes a redacted `Authorization` value, keeping the scheme (`Bearer`, `Basic`, ...).
fn push_header_value(value: &str, dst: &mut String) {
    if value.starts_with(['"', '\'']) {
        push_value(value, dst);
        return;
    }
    match value.find([' ', '\t']) {
        Some(end) if is_auth_scheme(&value[..end]) => {
            let rest = value[end..].trim_start_matches([' ', '\t']);
            dst.push_str(&value[..value.len() - rest.len()]);
            dst.push_str(if rest.is_empty() { rest } else { redacted(rest) });
        }
        _ => dst.push_str(redacted(value)),
    }
}

fn is_auth_scheme(word: &str) -> bool {
    ["bearer", "basic", "digest", "token", "negotiate", "ntlm", "aws4-hmac-sha256", "sharedkey"]
        .iter()
        .any(|scheme| word.eq_ignore_ascii_case(scheme))
}

/// A value that is only the truncation ellipsis was cut by an earlier pass.
fn is_ellipsis(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| c == ELLIPSIS)
}

/// Whether the word after `Bearer` is a token rather than prose ("Bearer authentication").
/// Random tokens hold digits or punctuation; a long run of letters is treated as one too.
fn looks_like_credential(value: &str) -> bool {
    value == MARKER
        || (value.len() >= 8 && !value.bytes().all(|b| b.is_ascii_alphabetic()))
        || value.len() >= 20
}

/// Cuts `text` to at most `max_len` characters, [`ELLIPSIS`] included, never inside a
/// UTF-8 character or a [`MARKER`]; `None` when it already fits.
fn truncate(text: &str, max_len: usize) -> Option<String> {
    let (cut, _) = text.char_indices().nth(max_len)?;
    if max_len == 0 {
        return Some(String::new());
    }
    // Keep `max_len - 1` characters and make room for the ellipsis.
    let mut end = text.char_indices().nth(max_len - 1).map_or(cut, |(at, _)| at);
    // Never leave the start of a marker at the cut.
    if let Some(open) = text[..end].rfind('<') {
        let tail = &text[open..end];
        if tail.len() < MARKER.len() && MARKER.starts_with(tail) {
            end = open;
        }
    }
    let mut out = String::with_capacity(end + ELLIPSIS.len_utf8());
    out.push_str(&text[..end]);
    out.push(ELLIPSIS);
    Some(out)
}

#[cfg(test)]
mod tests;
