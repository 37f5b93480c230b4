//! Families with a shape of their own: HTTP authorization and cookie headers, bearer
//! tokens, short command-line flags (`-p hunter2`, `-phunter2`, `-u user:pass`), SQL
//! (`IDENTIFIED BY`, `SET PASSWORD FOR .. =`), private-key blocks, name/value pairs
//! (`<add key="Password" value="x"/>`, `- name: DB_PASSWORD\n  value: x`), validation
//! errors that echo the bad value (pydantic's `input_value=`, Dagster's `Value "x"`), and
//! the `value` field of a credential struct (`Token { value: "x" }`).

use super::classify::{self, Ctx, Verdict};
use super::keys::{Class, Key, Strength};
use super::scan::{Spans, floor_char, is_blank, line_end, skip_blanks, word_at};
use super::values::{self, Sep};

/// Schemes whose credential is one word (`Bearer <token>`); the others (`Digest ..`,
/// `AWS4-HMAC-SHA256 ..`) carry it in the rest of the value.
const ONE_WORD_SCHEMES: &[&str] =
    &["bearer", "basic", "token", "apikey", "api-key", "key", "geniekey", "ssws", "bot", "dpop"];

fn strong(class: Class, sep: Sep, quoted: bool) -> Ctx {
    Ctx { sep, class, strength: Strength::Strong, flag: false, quoted }
}

/// Where the value of a header-like key ends: at its closing quote when quoted, else at
/// the end of the line or at the quote that opened before the key (`-H 'Authorization: ..'`).
fn header_value(text: &str, key: &Key) -> Option<(usize, usize, usize)> {
    let bytes = text.as_bytes();
    let at = skip_blanks(bytes, key.after);
    if !matches!(bytes.get(at), Some(b':' | b'=')) {
        return None;
    }
    let start = skip_blanks(bytes, at + 1);
    if let Some(found) = values::quoted(bytes, start) {
        return Some(found);
    }
    let mut end = line_end(bytes, start);
    if key.quote.is_some() {
        // A map entry: `"authorization": Sensitive, "x-api-key": ..`.
        end = bytes[start..end].iter().position(|b| b",}]".contains(b)).map_or(end, |n| start + n);
    } else if let Some(&q @ (b'"' | b'\'')) = key.start.checked_sub(1).and_then(|i| bytes.get(i))
        && let Some(close) = bytes[start..end].iter().position(|&b| b == q)
    {
        end = start + close;
    }
    Some((start, end, end))
}

/// `Authorization: Bearer x`, `{"Authorization": "Basic x"}`: the scheme stays readable.
pub(super) fn header(text: &str, key: &Key, spans: &mut Spans) -> Option<usize> {
    let (start, end, after) = header_value(text, key)?;
    let value = text[start..end].trim_end();
    let end = start + value.len();
    if value.is_empty() || classify::is_placeholder(value) || super::is_marker_or_cut(value) {
        return Some(after);
    }
    let Some(space) = value.find([' ', '\t']) else {
        if !value.bytes().all(|b| b.is_ascii_alphabetic()) {
            spans.push(text, start..end);
        }
        return Some(after);
    };
    let scheme = &value[..space];
    let rest_start = skip_blanks(text.as_bytes(), start + space);
    let rest = &text[rest_start..end];
    let is_scheme = scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && scheme.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
    if !is_scheme {
        spans.push(text, start..end);
        return Some(after);
    }
    if rest.is_empty()
        || classify::is_placeholder(rest)
        || super::is_marker_or_cut(rest)
        || rest.bytes().all(|b| b == b'*')
    {
        return Some(after);
    }
    let credential_end = if ONE_WORD_SCHEMES.iter().any(|s| scheme.eq_ignore_ascii_case(s)) {
        rest.find([' ', '\t']).map_or(end, |n| rest_start + n)
    } else {
        end
    };
    spans.push(text, rest_start..credential_end);
    Some(after)
}

/// `Cookie: a=b; c=d` and `Set-Cookie: ..`: the whole value is the credential.
pub(super) fn cookie_header(text: &str, key: &Key, spans: &mut Spans) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.get(skip_blanks(bytes, key.after)) != Some(&b':') {
        return None;
    }
    let (start, end, after) = header_value(text, key)?;
    let value = text[start..end].trim_end();
    if !(classify::is_placeholder(value) || super::is_marker_or_cut(value)) {
        spans.push(text, start..start + value.len());
    }
    Some(after)
}

/// `bearer <token>` in prose or a header-less log line.
pub(super) fn bearer(text: &str, key: &Key, spans: &mut Spans) -> Option<usize> {
    let bytes = text.as_bytes();
    let start = skip_blanks(bytes, key.after);
    if start == key.after || key.quote.is_some() {
        return None;
    }
    let mut end = start;
    while end < bytes.len()
        && (bytes[end].is_ascii_alphanumeric() || b"-._~+/".contains(&bytes[end]))
    {
        end += 1;
    }
    while end < bytes.len() && bytes[end] == b'=' {
        end += 1;
    }
    let delimited =
        bytes.get(end).is_none_or(|b| b.is_ascii_whitespace() || b"\"'`,;)]}&\\".contains(b));
    let token = &text[start..end];
    let credential =
        (token.len() >= 8 && !token.bytes().all(|b| b.is_ascii_alphabetic())) || token.len() >= 20;
    if delimited && credential {
        spans.push(text, start..end);
        return Some(end);
    }
    Some(start)
}

/// `-p hunter2`, `-phunter2`, `'-p', 'hunter2'`, `-w pw` (LDAP), `-a pw` (redis-cli),
/// `-u user:pass` (curl). `at` is the blank or quote before the dash.
pub(super) fn short_flag(text: &str, at: usize, spans: &mut Spans) -> usize {
    let bytes = text.as_bytes();
    let letter = bytes[at + 2];
    let after = at + 3;
    let quote = matches!(bytes[at], b'\'' | b'"').then_some(bytes[at]);
    let start = match (bytes.get(after), quote) {
        (Some(&q), Some(open)) if q == open => {
            let comma = skip_blanks(bytes, after + 1);
            if bytes.get(comma) != Some(&b',') {
                return after;
            }
            skip_blanks(bytes, comma + 1)
        }
        (Some(&b), None) if is_blank(b) => skip_blanks(bytes, after),
        // Glued: mysql's and 7-Zip's `-pSECRET`, bare or an argv item (`'-pSECRET'`).
        (Some(&b), _) if letter.eq_ignore_ascii_case(&b'p') && !b.is_ascii_whitespace() => after,
        _ => return after,
    };
    let glued_in_quotes = quote.is_some() && start == after;
    let (value_start, value_end, resume) = if glued_in_quotes {
        let close = quote.and_then(|q| bytes[start..].iter().position(|&b| b == q || b == b'\n'));
        let end = close.map_or(bytes.len(), |n| start + n);
        (start, end, end)
    } else {
        values::quoted(bytes, start).unwrap_or_else(|| {
            let end = bytes[start..]
                .iter()
                .position(|b| b.is_ascii_whitespace() || b"\"'`,;)]".contains(b))
                .map_or(bytes.len(), |n| start + n);
            (start, end, end)
        })
    };

    let value = &text[value_start..value_end];
    if value.starts_with('-') {
        return start;
    }
    let is_secret = match letter.to_ascii_lowercase() {
        b'u' => {
            if let Some(colon) = value.find(':') {
                spans.push(text, value_start + colon + 1..value_end);
            }
            return resume;
        }
        b'a' => value.len() >= 8 && classify::looks_like_credential(value),
        _ => classify::looks_like_credential(value),
    };
    if is_secret {
        let ctx = Ctx {
            sep: Sep::Space,
            class: Class::Password,
            strength: Strength::Strong,
            flag: true,
            quoted: false,
        };
        if classify::judge(value, ctx, b"") == Verdict::Secret {
            spans.push(text, value_start..value_end);
        }
    }
    resume
}

/// `--user user:pass` / `--user=user:pass` (curl, wget): the part after the colon.
pub(super) fn user_flag(text: &str, at: usize, spans: &mut Spans) -> usize {
    let bytes = text.as_bytes();
    let after = at + "--user".len();
    let start = match bytes.get(after) {
        Some(b'=') => after + 1,
        Some(&b) if is_blank(b) => skip_blanks(bytes, after),
        _ => return after,
    };
    let (value_start, value_end, resume) = values::quoted(bytes, start).unwrap_or_else(|| {
        let end = bytes[start..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(bytes.len(), |n| start + n);
        (start, end, end)
    });
    if let Some(colon) = text[value_start..value_end].find(':') {
        spans.push(text, value_start + colon + 1..value_end);
    }
    resume
}

/// SQL `IDENTIFIED BY 'x'`, `IDENTIFIED BY x`, `IDENTIFIED WITH plugin BY 'x'`.
pub(super) fn identified_by(text: &str, lower: &[u8], at: usize, spans: &mut Spans) -> usize {
    let bytes = text.as_bytes();
    let end = at + "identified".len();
    if at > 0 && bytes[at - 1].is_ascii_alphanumeric() || !word_at(lower, at, "identified") {
        return end;
    }
    let mut i = skip_blanks(bytes, end);
    if word_at(lower, i, "with") {
        i = skip_blanks(bytes, i + 4);
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i = skip_blanks(bytes, i);
    }
    if !word_at(lower, i, "by") {
        return end;
    }
    sql_literal(text, skip_blanks(bytes, i + 2), spans)
}

/// `MySQL`'s `SET PASSWORD FOR 'user'@'host' = 'x'`; `at` is the start of `FOR`.
pub(super) fn set_password_for(text: &str, at: usize, spans: &mut Spans) -> usize {
    let bytes = text.as_bytes();
    let window = &bytes[at..bytes.len().min(at + 200)];
    let Some(eq) =
        window.iter().position(|&b| b == b'=' || b == b'\n').filter(|&n| window[n] == b'=')
    else {
        return at + 3;
    };
    sql_literal(text, skip_blanks(bytes, at + eq + 1), spans)
}

fn sql_literal(text: &str, start: usize, spans: &mut Spans) -> usize {
    let bytes = text.as_bytes();
    let (s, e, after) = values::quoted(bytes, start).unwrap_or_else(|| {
        let end = bytes[start.min(bytes.len())..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || b";,)".contains(b))
            .map_or(bytes.len(), |n| start + n);
        (start, end, end)
    });
    let quoted = s != start;
    if s < e
        && classify::judge(&text[s..e], strong(Class::Password, Sep::Equals, quoted), b"")
            == Verdict::Secret
    {
        spans.push(text, s..e);
    }
    after
}

/// A PEM or OpenSSH private-key block (`-----BEGIN ... PRIVATE KEY-----` to its `END`
/// line, or to the end of the text when cut off): replaced whole.
pub(super) fn private_key(text: &str, lower: &[u8], at: usize, spans: &mut Spans) -> usize {
    let header_end = at + "-----begin".len();
    if at < spans.pem_end {
        return spans.pem_end;
    }
    let Some(close) =
        memchr::memmem::find(&lower[header_end..lower.len().min(header_end + 64)], b"-----")
    else {
        return header_end;
    };
    let label = &lower[header_end..header_end + close];
    if !(label.ends_with(b"private key") || label.ends_with(b"private key block")) {
        return header_end + close;
    }
    let body = header_end + close + 5;
    let end = memchr::memmem::find(&lower[body..], b"-----end").map_or(lower.len(), |n| {
        let end_label = body + n + "-----end".len();
        memchr::memmem::find(&lower[end_label..lower.len().min(end_label + 64)], b"-----")
            .map_or(lower.len(), |m| end_label + m + 5)
    });
    spans.push(text, at..floor_char(text, end));
    spans.pem_end = end;
    end
}

/// `<add key="ClearTextPassword" value="x"/>`, `{"name": "DB_PASSWORD", "value": "x"}`,
/// `- name: DB_PASSWORD\n  value: x`: the key word names the pair, `value` holds it.
pub(super) fn name_value(text: &str, key: &Key, spans: &mut Spans) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = key.start - usize::from(key.quote.is_some());
    while i > 0 && is_blank(bytes[i - 1]) {
        i -= 1;
    }
    if i == 0 || !matches!(bytes[i - 1], b'=' | b':') {
        return None;
    }
    let mut j = i - 1;
    if j > 0 && matches!(bytes[j - 1], b'"' | b'\'') {
        j -= 1;
    }
    let name_start = bytes[..j].iter().rposition(|b| !b.is_ascii_alphabetic()).map_or(0, |n| n + 1);
    let name = &text[name_start..j];
    if !(name.eq_ignore_ascii_case("name") || name.eq_ignore_ascii_case("key")) {
        return None;
    }
    // The pair's value is on the same line (`<add key=".." value=".."/>`), or on the next
    // one when the name ends its line (`- name: DB_PASSWORD` / `  value: x`).
    let eol = line_end(bytes, key.after);
    let window_end =
        if bytes[key.after..eol].iter().all(|b| is_blank(*b) || matches!(b, b'"' | b'\'' | b',')) {
            line_end(bytes, (eol + 1).min(bytes.len()))
        } else {
            eol
        };
    let window = &bytes[key.after..window_end.min(key.after + 160)];
    let at = window.windows(5).position(|w| w.eq_ignore_ascii_case(b"value"))?;
    if window[..at].iter().any(|b| matches!(b, b'}' | b'>')) {
        return None;
    }
    let mut v = key.after + at + "value".len();
    if matches!(bytes.get(v), Some(b'"' | b'\'')) {
        v += 1;
    }
    v = skip_blanks(bytes, v);
    if !matches!(bytes.get(v), Some(b'=' | b':')) {
        return None;
    }
    let start = skip_blanks(bytes, v + 1);
    Some(mark_value(text, start, Class::Password, spans))
}

/// pydantic: a field name alone on its line, then `input_value=<the bad value>` on the next.
pub(super) fn field_line(text: &str, key: &Key, spans: &mut Spans) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut line_start = key.start;
    while line_start > 0 && is_blank(bytes[line_start - 1]) {
        line_start -= 1;
    }
    if line_start > 0 && bytes[line_start - 1] != b'\n' {
        return None;
    }
    let eol = skip_blanks(bytes, key.end);
    if bytes.get(eol) != Some(&b'\n') {
        return None;
    }
    let next_end = line_end(bytes, eol + 1);
    let found = memchr::memmem::find(&bytes[eol + 1..next_end], b"input_value=")?;
    let start = eol + 1 + found + "input_value=".len();
    Some(mark_value(text, start, key.class, spans))
}

/// Dagster: `Invalid scalar at path root:config:password. Value "x" of type ..`.
pub(super) fn path_echo(text: &str, key: &Key, spans: &mut Spans) -> Option<usize> {
    let bytes = text.as_bytes();
    let rest = bytes.get(key.end..key.end + 8)?;
    if !rest.to_ascii_lowercase().starts_with(b". value ") {
        return None;
    }
    Some(mark_value(text, key.end + 8, key.class, spans))
}

/// The `value` fields inside the struct or map opened at `open`, owned by a credential
/// key or type (`bearer_token: Some(Token { value: "x" })`). Resumes inside the braces.
pub(super) fn value_fields(text: &str, open: usize, spans: &mut Spans) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    let limit = bytes.len().min(open + 2048);
    if open < spans.fields_scanned {
        return open + 1;
    }
    while i < limit {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            b'v' | b'V'
                if word_at(bytes, i, "value")
                    && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) =>
            {
                let mut v = i + 5;
                if matches!(bytes.get(v), Some(b'"' | b'\'')) {
                    v += 1;
                }
                v = skip_blanks(bytes, v);
                if matches!(bytes.get(v), Some(b':' | b'=')) {
                    i = mark_value(text, skip_blanks(bytes, v + 1), Class::Secret, spans);
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    spans.fields_scanned = i;
    open + 1
}

/// Marks the quoted or bare value at `start` as a sure credential unless it plainly is
/// not one; a map or list there is left to the scan. Returns the end of the value.
fn mark_value(text: &str, start: usize, class: Class, spans: &mut Spans) -> usize {
    let bytes = text.as_bytes();
    if start >= bytes.len() || matches!(bytes[start], b'{' | b'[' | b'(') {
        return start;
    }
    let (s, e, after) = values::quoted(bytes, start).unwrap_or_else(|| {
        let end = bytes[start..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || b",;)]}<".contains(b))
            .map_or(bytes.len(), |n| start + n);
        (start, end, end)
    });
    if classify::judge(&text[s..e], strong(class, Sep::Equals, s != start), b"") == Verdict::Secret
    {
        spans.push(text, s..e);
    }
    after
}

/// Prefixes of password hashes in crypt(3) and LDAP form.
const HASH_PREFIXES: &[&str] = &[
    "$apr1$",
    "$2a$",
    "$2b$",
    "$2y$",
    "$5$",
    "$6$",
    "$argon2",
    "$pbkdf2",
    "$scrypt$",
    "{ssha}",
    "{ssha512}",
];

/// Password hashes in crypt(3) or LDAP form: `$apr1$salt$hash`, `$2y$10$..`,
/// `$argon2id$v=19$..`, `{SSHA}..`: crackable offline, so they go whole.
pub(super) fn crypt_hashes(text: &str, spans: &mut Spans) {
    let bytes = text.as_bytes();
    let mut resume = 0;
    for at in memchr::memchr2_iter(b'$', b'{', bytes) {
        if at < resume {
            continue;
        }
        let rest = &bytes[at..];
        let Some(prefix) = HASH_PREFIXES
            .iter()
            .find(|p| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
        else {
            continue;
        };
        let end = rest
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || b"$./=+-_{},".contains(b)))
            .map_or(bytes.len(), |n| at + n);
        let body = bytes[at + prefix.len()..end]
            .iter()
            .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/' | b'+'))
            .count();
        if body >= 16 {
            spans.push(text, at..end);
        }
        resume = end;
    }
}
