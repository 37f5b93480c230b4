//! What an `@` reveals: URL user info (`scheme://user:password@host`, Oracle's
//! `user/password@//host`) and e-mail addresses (the local part is personal data); and
//! webhook URLs, whose path is the credential.

use std::sync::LazyLock;

use super::classify;
use super::scan::{Spans, floor_char};

/// `://`, searched backwards from an `@` or a webhook trigger.
static SCHEME: LazyLock<memchr::memmem::FinderRev<'static>> =
    LazyLock::new(|| memchr::memmem::FinderRev::new(b"://"));

/// Top-level domains that are not on the public internet: `deploy@bastion.internal` is a
/// login at a host, not an e-mail address.
const PRIVATE_TLDS: &[&str] = &[
    "internal",
    "local",
    "localdomain",
    "localhost",
    "lan",
    "home",
    "corp",
    "svc",
    "intranet",
    "private",
    "priv",
    "test",
    "invalid",
    "example",
    "cluster",
];

/// Local parts that name a service account, not a person (`git@github.com`).
const SERVICE_LOCAL_PARTS: &[&str] = &[
    "git",
    "root",
    "postgres",
    "noreply",
    "no-reply",
    "mailer-daemon",
    "postmaster",
    "nobody",
    "www-data",
    "ec2-user",
    "ubuntu",
];

fn is_word_byte(b: u8) -> bool {
    !b.is_ascii_whitespace() && !matches!(b, b'"' | b'<' | b'>' | b'`')
}

/// Every `@` of the text. The start of the word holding an `@`, and the `://` in it, are
/// carried from one `@` to the next within a word, so no byte is scanned twice.
pub(super) fn at_signs(text: &str, spans: &mut Spans) {
    let bytes = text.as_bytes();
    let mut resume = 0;
    let mut prev = 0;
    let mut word_start = 0;
    let mut scheme_end = None;
    for at in memchr::memchr_iter(b'@', bytes) {
        let floor = prev.max(at.saturating_sub(512));
        let rfind_scheme = |from: usize| SCHEME.rfind(&bytes[from..at]).map(|n| from + n + 3);
        if let Some(i) = (floor..at).rev().find(|&i| !is_word_byte(bytes[i])) {
            word_start = i + 1;
            scheme_end = rfind_scheme(word_start);
        } else if floor == prev && prev > 0 {
            scheme_end = rfind_scheme(prev).or(scheme_end);
        } else {
            word_start = floor;
            scheme_end = rfind_scheme(floor);
        }
        prev = at + 1;
        if at < resume {
            continue;
        }
        resume = userinfo(text, at, word_start, scheme_end, spans).unwrap_or_else(|| {
            email(text, at, spans);
            at + 1
        });
    }
}

/// `scheme://userinfo@`: the user info runs to the last `@` of the word that a host name
/// follows (a password may hold `@`, `/` and `:`). Returns where the scan resumes when
/// this `@` ends user info.
fn userinfo(
    text: &str,
    at: usize,
    word_start: usize,
    scheme_end: Option<usize>,
    spans: &mut Spans,
) -> Option<usize> {
    let bytes = text.as_bytes();
    let Some(scheme_end) = scheme_end else {
        return oracle_userinfo(text, word_start, at, spans);
    };
    let word_end = (at..bytes.len().min(at + 512))
        .find(|&i| !is_word_byte(bytes[i]))
        .unwrap_or(bytes.len().min(at + 512));
    let user_end = bytes[scheme_end..at]
        .iter()
        .position(|&b| b == b':' || b == b'@')
        .map_or(at, |n| scheme_end + n);
    if bytes[scheme_end..user_end].iter().any(|&b| matches!(b, b'/' | b'?' | b'#')) {
        return None;
    }
    let last_at = host_at(bytes, at, word_end);
    let info = &text[scheme_end..last_at];
    if let Some(password) =
        info.strip_prefix(&text[scheme_end..user_end]).and_then(|r| r.strip_prefix(':'))
    {
        // `host:8443/path?owner=team@x` is a port, not a password.
        let user = &text[scheme_end..user_end];
        let port = password.bytes().take_while(u8::is_ascii_digit).count();
        if (user.contains('.') || user == "localhost")
            && (1..=5).contains(&port)
            && password.as_bytes().get(port) == Some(&b'/')
        {
            return None;
        }
        if password.is_empty()
            || is_masked_password(password)
            || super::is_marker_or_cut(password)
            || classify::is_reference(password)
        {
            return Some(word_end);
        }
    } else if !classify::looks_like_credential(info) {
        return Some(word_end);
    }
    spans.push(text, scheme_end..last_at);
    // The rest of the URL (`/repo.git@v1.2`) holds no more user info.
    Some(word_end)
}

/// Which `@` of the word ends the user info: the last one followed by a host name (a
/// dotted name with letters, or a name with a port), else the last one.
fn host_at(bytes: &[u8], first: usize, word_end: usize) -> usize {
    let mut chosen = None;
    let mut last = first;
    for at in memchr::memchr_iter(b'@', &bytes[first..word_end]).map(|n| first + n) {
        last = at;
        let host_len = bytes[at + 1..word_end]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
            .count();
        let host = &bytes[at + 1..at + 1 + host_len];
        let next = bytes.get(at + 1 + host_len).copied();
        let dotted = host.contains(&b'.')
            && host.iter().any(u8::is_ascii_alphabetic)
            && !host.ends_with(b".");
        let with_port = !host.is_empty()
            && next == Some(b':')
            && bytes.get(at + 2 + host_len).is_some_and(u8::is_ascii_digit);
        if dotted || with_port || host == b"localhost" {
            chosen = Some(at);
        }
    }
    chosen.unwrap_or(last)
}

fn is_masked_password(password: &str) -> bool {
    !password.is_empty() && password.bytes().all(|b| b == b'*' || b == b'x' || b == b'X')
}

/// Oracle's `user/password@//host:port/service` (`EZConnect`).
fn oracle_userinfo(text: &str, word_start: usize, at: usize, spans: &mut Spans) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.get(at + 1..at + 3) != Some(b"//") {
        return None;
    }
    let start = (word_start..at)
        .rev()
        .find(|&i| matches!(bytes[i], b'=' | b'(' | b'\'' | b','))
        .map_or(word_start, |i| i + 1);
    let slash = bytes[start..at].iter().position(|&b| b == b'/')?;
    if slash == 0 {
        return None;
    }
    spans.push(text, start + slash + 1..at);
    Some(at + 1)
}

/// `local@domain.tld`: the local part is redacted.
fn email(text: &str, at: usize, spans: &mut Spans) {
    let bytes = text.as_bytes();
    let is_local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-".contains(&b);
    let start = (at.saturating_sub(64)..at)
        .rev()
        .find(|&i| !is_local(bytes[i]))
        .map_or(at.saturating_sub(64), |i| i + 1);
    if start == at || !bytes[start].is_ascii_alphanumeric() {
        return;
    }
    let mut end = at + 1;
    let mut last_dot = None;
    while end < bytes.len()
        && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'-' || bytes[end] == b'.')
    {
        if bytes[end] == b'.' {
            last_dot = Some(end);
        }
        end += 1;
    }
    while end > at + 1 && bytes[end - 1] == b'.' {
        end -= 1;
        last_dot = bytes[at + 1..end].iter().rposition(|&b| b == b'.').map(|n| at + 1 + n);
    }
    let Some(dot) = last_dot.filter(|&d| d > at + 1 && d < end) else { return };
    // `<user@host>` is a mail path (RFC 5321: SMTP replies, `From:` and `To:` headers):
    // an address whatever its domain or local part.
    let bracketed = start > 0 && bytes[start - 1] == b'<' && bytes.get(end) == Some(&b'>');
    if bracketed {
        spans.push(text, start..at);
        return;
    }
    let tld = &text[dot + 1..end];
    if tld.len() < 2
        || !tld.bytes().all(|b| b.is_ascii_alphabetic())
        || PRIVATE_TLDS.contains(&tld.to_ascii_lowercase().as_str())
    {
        return;
    }
    // `git@github.com:org/repo.git` is an SSH remote.
    if bytes.get(end) == Some(&b':') && bytes.get(end + 1).is_some_and(|b| !b.is_ascii_whitespace())
    {
        return;
    }
    let local = &text[start..at];
    if SERVICE_LOCAL_PARTS.contains(&local.to_ascii_lowercase().as_str()) {
        return;
    }
    spans.push(text, start..at);
}

/// Hosts whose webhook path is a credential from its first segment on.
const WEBHOOK_HOSTS: &[(&str, &str)] = &[
    ("hooks.slack.com", "/"),
    ("discord.com", "/api/webhooks/"),
    ("discordapp.com", "/api/webhooks/"),
    ("ptb.discord.com", "/api/webhooks/"),
    ("canary.discord.com", "/api/webhooks/"),
    (".webhook.office.com", "/webhookb2/"),
    ("outlook.office.com", "/webhook/"),
    ("hooks.zapier.com", "/hooks/"),
];

/// A webhook URL around the trigger at `at`: its path after the fixed prefix is redacted.
pub(super) fn webhook(text: &str, lower: &[u8], at: usize, spans: &mut Spans) -> usize {
    let bytes = text.as_bytes();
    let floor = at.saturating_sub(256).max(spans.hooks_floor);
    spans.hooks_floor = at;
    let word_start = (floor..at).rev().find(|&i| !is_word_byte(bytes[i])).map_or(floor, |i| i + 1);
    let Some(scheme_end) = SCHEME.rfind(&lower[word_start..=at]).map(|n| word_start + n + 3) else {
        return at + 5;
    };
    let end = (at..bytes.len())
        .find(|&i| {
            !is_word_byte(bytes[i]) || matches!(bytes[i], b'?' | b'#' | b'\'' | b'\\' | b')')
        })
        .unwrap_or(bytes.len());
    let host_end =
        bytes[scheme_end..end].iter().position(|&b| b == b'/').map_or(end, |n| scheme_end + n);
    let host = std::str::from_utf8(&lower[scheme_end..host_end]).unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host);
    let path = std::str::from_utf8(&lower[host_end..end]).unwrap_or("");
    let known = WEBHOOK_HOSTS.iter().find(|(h, p)| {
        (host == *h || (h.starts_with('.') && host.ends_with(h)))
            && path.starts_with(p)
            && path.len() > p.len()
    });
    let secret_from = match known {
        Some((h, _)) if *h == "hooks.slack.com" => {
            // `/services/..`, `/workflows/..`, `/triggers/..`: the first segment is fixed.
            match path[1..].find('/') {
                Some(n) => host_end + 1 + n + 1,
                None => return end.max(at + 5),
            }
        }
        Some((_, p)) => host_end + p.len(),
        None => {
            // Any other host: a `hooks`/`webhooks` segment followed by a random-looking one.
            let mut offset = host_end;
            let mut from = None;
            let mut random = false;
            for segment in text[host_end..end].split('/') {
                offset += segment.len() + 1;
                if from.is_none() {
                    if matches!(
                        segment.to_ascii_lowercase().as_str(),
                        "hooks" | "webhooks" | "webhook"
                    ) {
                        from = Some(offset);
                    }
                } else if classify::looks_random(segment) {
                    random = true;
                }
            }
            match from {
                Some(from) if random => from,
                _ => return end.max(at + 5),
            }
        }
    };
    if secret_from < end {
        spans.push(text, secret_from..floor_char(text, end));
    }
    end.max(at + 5)
}
