//! `sanitize_error_message`: the one place where text is made safe to put on a span.
//!
//! The sanitizer replaces credentials with [`MARKER`] and truncates the result to a
//! character budget. It recognises them by family, the way tools print them:
//! - key/value pairs in every notation (`k=v`, `k: v`, `k => v`, JSON, YAML, INI, `.env`,
//!   TOML, XML, query strings, connection strings, Go/Rust/Python/Java struct dumps), with
//!   the value wrapped or not (`Some("..")`, `Secret("..")`, tuples, lists, packed
//!   `user:pass,user2:pass2` lists), and config lines whose separator is blanks
//!   (`password  hunter2`, `requirepass x`);
//! - command-line flags (`--password x`, `--token=x`, `-p x`, `-px`, `-u user:pass`, argv
//!   lists `'--password', 'x'`);
//! - SQL that sets a password (`PASSWORD 'x'`, `IDENTIFIED BY`, `SET PASSWORD FOR .. =`,
//!   DuckDB `CREATE SECRET (.. SECRET 'x')`);
//! - HTTP authorization and cookie headers (the scheme stays), bearer tokens, URL user
//!   info, webhook URLs whose path is the secret, private-key blocks, e-mail local parts;
//! - provider tokens by their published prefix, length and alphabet (AWS, GitHub, GitLab,
//!   Slack, Stripe, `OpenAI`, Hugging Face, `npm`, `PyPI`, Vault, Doppler, Infisical, JWT, ...),
//!   and a cloud secret key printed next to its key id.
//!
//! Whether a value after a key word is a credential is decided per value: numbers,
//! booleans, prose (`password reset required`), names of secrets (`secret "db-password" not
//! found`), references to where a secret is kept (`${secret:db}`, `env_var('X')`,
//! `vault:kv/db#pw`) and key words inside other words or paths (`tokenizer.json`,
//! `/etc/secrets/`) stay readable.
//!
//! It never fails, never panics, runs in time linear in the input, and is idempotent:
//! sanitizing its own output changes nothing.

mod classify;
mod keys;
mod scan;
mod special;
mod tokens;
mod urls;
mod values;
mod words;

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
    let spans = scan::find(message);
    if spans.is_empty() {
        return Cow::Borrowed(message);
    }
    let mut out = String::with_capacity(message.len());
    let mut copied = 0;
    for range in spans.into_merged() {
        let (start, end) = char_bounds(message, range.start, range.end);
        if start < copied {
            continue;
        }
        out.push_str(&message[copied..start]);
        out.push_str(MARKER);
        copied = end;
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

/// Whether a value is the marker or what truncation left of a value (an ellipsis, or the
/// marker and an ellipsis): the output of an earlier pass, kept as it is.
fn is_marker_or_cut(value: &str) -> bool {
    let rest = value.trim_end_matches(ELLIPSIS);
    rest.is_empty() || rest == MARKER
}

/// Cuts `text` to at most `max_len` characters, [`ELLIPSIS`] included, never inside a
/// UTF-8 character or a [`MARKER`]; `None` when it already fits.
fn truncate(text: &str, max_len: usize) -> Option<String> {
    if text.len() <= max_len {
        // A character is at least a byte: it fits.
        return None;
    }
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
