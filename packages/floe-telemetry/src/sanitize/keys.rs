//! Key names: which identifiers name a credential, and how surely.
//!
//! A key is split into lowercase components at `_`, `-`, `.` and camel-case boundaries
//! (`dbPassword` → `db`, `password`; `X-Api-Key` → `x`, `api`, `key`). The last component
//! holding a key word decides: what follows it must only say how the secret is encoded
//! (`password_hash`, `private_key_id`), otherwise the key names something about the
//! secret (`password_policy`, `secret_name`, `token_type`) and is not a key. What precedes
//! it qualifies it: `max_tokens` and `existingSecret` are not keys, `api_key` surely is,
//! and a bare `key` (`unique_key`, `partition_key`, an S3 object `Key`) is a key only for
//! values that look random.

use super::scan::{Spans, is_blank, is_key_byte};
use super::values;
use super::words::WordSet;
use std::sync::LazyLock;

static SECRET_SUFFIXES: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(SECRET_SUFFIXES_LIST));
static NOT_SECRET_TOKEN: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(NOT_SECRET_TOKEN_LIST));
static REFERENCE_QUALIFIERS: LazyLock<WordSet> =
    LazyLock::new(|| WordSet::new(REFERENCE_QUALIFIERS_LIST));
static SECRET_KEY_QUALIFIERS: LazyLock<WordSet> =
    LazyLock::new(|| WordSet::new(SECRET_KEY_QUALIFIERS_LIST));

/// The family of a key word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    Password,
    Secret,
    Token,
    Key,
    Credentials,
    Auth,
    /// `Authorization`, `Proxy-Authorization`: a header whose value keeps its scheme.
    Authorization,
    Signature,
    Session,
    Dsn,
    Jwt,
    Cookie,
    Bearer,
}

/// How surely a key names a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Strength {
    /// Any value is a credential unless it plainly is not (a number, a boolean, a reference).
    Strong,
    /// Only a value that looks random is a credential.
    Weak,
}

/// A key found around a trigger.
#[derive(Clone, Copy, Debug)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent facts about how a key is written, read by different recognisers"
)]
pub(super) struct Key {
    /// Start of the key name (a leading `-`/`--` included).
    pub(super) start: usize,
    /// End of the key name.
    pub(super) end: usize,
    /// After the key and its closing quote, if it was quoted.
    pub(super) after: usize,
    /// The quote around the key, if any (`"password": ...`, `'--password', ...`).
    pub(super) quote: Option<u8>,
    /// Written `<key>` (an XML element).
    pub(super) xml: bool,
    /// A command-line flag (`--password`).
    pub(super) flag: bool,
    /// The last segment of a colon-joined name (`root:config:password`).
    pub(super) path_segment: bool,
    /// Whether the key can take a value: a quoted key word that does not open a map entry
    /// or an argv item is itself a value (`volume "db-creds" : ..`).
    pub(super) entry: bool,
    /// A plural (`tokens`, `API_KEYS`, `DB_CREDS`): the value may be a list.
    pub(super) plural: bool,
    /// The key ends with `users`: its value is a packed `user:password` list.
    pub(super) users: bool,
    pub(super) class: Class,
    pub(super) strength: Strength,
}

/// Words that, after the key word, say how the secret is stored rather than what it is
/// about: `password_hash`, `token_value`, `private_key_id`, `api_key_2`.
const SECRET_SUFFIXES_LIST: &[&str] = &[
    "value",
    "string",
    "str",
    "hash",
    "b64",
    "base64",
    "enc",
    "encrypted",
    "plain",
    "plaintext",
    "raw",
    "data",
    "id",
    "key",
    "token",
    "secret",
    "hex",
    "bytes",
    "content",
    "pem",
    "users",
];

/// Qualifiers that make a token word name something that is not a credential.
const NOT_SECRET_TOKEN_LIST: &[&str] = &[
    "next",
    "page",
    "continuation",
    "pagination",
    "sync",
    "cursor",
    "resume",
    "cancel",
    "cancellation",
    "csrf",
    "xsrf",
    "max",
    "num",
    "total",
    "input",
    "output",
    "prompt",
    "completion",
    "completions",
    "count",
    "remaining",
    "used",
    "limit",
    "reasoning",
    "cached",
    "design",
    "stop",
    "eos",
    "bos",
    "pad",
    "unk",
    "special",
    "invalid",
    "expired",
    "missing",
];

/// Qualifiers that make any key word name a reference to a secret kept elsewhere.
const REFERENCE_QUALIFIERS_LIST: &[&str] =
    &["existing", "external", "ref", "sealed", "source", "mounted", "use", "has", "no", "require"];

/// Qualifiers that make a `key` a secret key (`api_key`, `AccountKey`, `SECRET_KEY`).
const SECRET_KEY_QUALIFIERS_LIST: &[&str] = &[
    "api",
    "access",
    "secret",
    "private",
    "account",
    "master",
    "encryption",
    "encrypt",
    "decryption",
    "signing",
    "sign",
    "client",
    "subscription",
    "auth",
    "session",
    "storage",
    "shared",
    "license",
    "licence",
    "app",
    "application",
    "consumer",
    "service",
    "admin",
    "root",
    "hmac",
    "fernet",
    "webhook",
    "integration",
    "ingest",
    "ingestion",
    "write",
    "deploy",
    "crypt",
    "cipher",
    "aes",
    "symmetric",
    "sas",
    "jwt",
    "oauth",
    "genie",
    "sendgrid",
    "stripe",
    "openai",
    "anthropic",
    "mailgun",
    "cloudflare",
    "datadog",
    "dd",
    "sentry",
];

/// The key around the trigger at `at` (an index into `lower`, the lowercased message),
/// classified, or `None` when the identifier there names no credential.
pub(super) fn key_at(text: &str, lower: &[u8], at: usize) -> Option<Key> {
    let bytes = text.as_bytes();
    let mut start = at;
    while start > 0 && at - start < 64 && is_key_byte(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = at;
    while end < bytes.len() && end - at < 96 && is_key_byte(bytes[end]) {
        end += 1;
    }
    // A sentence's full stop or a trailing dash is not part of the name.
    while end > start && matches!(bytes[end - 1], b'.' | b'-') {
        end -= 1;
    }
    if !bytes[start..end].iter().any(u8::is_ascii_alphabetic) {
        return None;
    }
    let context = context_of(bytes, start);
    if context == Context::Reference {
        return None;
    }
    let before = start.checked_sub(1).map(|i| bytes[i]);
    let quote = match before {
        Some(q @ (b'"' | b'\'' | b'`')) if bytes.get(end) == Some(&q) => Some(q),
        _ => None,
    };
    let xml = before == Some(b'<') && bytes.get(end) == Some(&b'>');
    // A quoted key opens a map entry or an argv item; a quoted key word elsewhere
    // (`volume "db-creds" : ..`, `column "password" does not exist`) is a value.
    let entry = quote.is_none() || {
        let mut i = start - 1;
        while i > 0 && is_blank(bytes[i - 1]) {
            i -= 1;
        }
        i == 0 || matches!(bytes[i - 1], b'{' | b',' | b'(' | b'[' | b'\n' | b';' | b'|')
    };
    let (class, strength, plural, users) = classify(&lower[start..end], &bytes[start..end])?;
    Some(Key {
        start,
        end,
        after: end + usize::from(quote.is_some() || xml),
        quote,
        xml,
        flag: bytes[start] == b'-',
        path_segment: context == Context::PathSegment,
        entry,
        plural,
        users,
        class,
        strength,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Context {
    Free,
    /// Inside a reference to a secret (`${secret:x}`, `$PGPASSWORD`, `%(password)s`) or a
    /// file path (`/etc/secrets/db`).
    Reference,
    /// The last segment of a colon-joined name (`arn:aws:...:secret:prod/db`,
    /// `root:config:password`).
    PathSegment,
}

fn context_of(bytes: &[u8], start: usize) -> Context {
    let Some(&prev) = start.checked_sub(1).and_then(|i| bytes.get(i)) else {
        return Context::Free;
    };
    let before_prev = start.checked_sub(2).map(|i| bytes[i]);
    match prev {
        b'$' | b'/' | b'\\' | b'@' => Context::Reference,
        b'{' if before_prev == Some(b'$') => Context::Reference,
        b'(' if before_prev == Some(b'%') => Context::Reference,
        b':' if before_prev.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') => {
            Context::PathSegment
        }
        _ => Context::Free,
    }
}

/// Splits a key name into lowercase component ranges.
/// At most this many components of a key are looked at (the last ones).
const MAX_PARTS: usize = 12;

/// Splits a key name into component ranges; returns how many were found (the first
/// `MAX_PARTS`).
fn components(original: &[u8], out: &mut [(usize, usize); MAX_PARTS]) -> usize {
    let mut n = 0;
    let mut push = |range: (usize, usize), n: &mut usize| {
        if *n < MAX_PARTS {
            out[*n] = range;
            *n += 1;
        }
    };
    let mut start = None;
    for (i, &b) in original.iter().enumerate() {
        if !b.is_ascii_alphanumeric() {
            if let Some(s) = start.take() {
                push((s, i), &mut n);
            }
            continue;
        }
        let boundary = i > 0 && b.is_ascii_uppercase() && {
            let prev = original[i - 1];
            prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase()
                    && original.get(i + 1).is_some_and(u8::is_ascii_lowercase))
        };
        match start {
            Some(s) if boundary => {
                push((s, i), &mut n);
                start = Some(i);
            }
            None => start = Some(i),
            Some(_) => {}
        }
    }
    if let Some(s) = start {
        push((s, original.len()), &mut n);
    }
    n
}

/// The class a component names, the length of a glued prefix (`pg` in `pgpassword`), and
/// whether it is a plural.
fn core_of(c: &[u8]) -> Option<(Class, usize, bool)> {
    let exact: Option<(Class, bool)> = match c {
        b"password" | b"passwd" | b"pwd" | b"pw" | b"pass" | b"passphrase" | b"passcode"
        | b"pswd" => Some((Class::Password, false)),
        b"passwords" => Some((Class::Password, true)),
        b"secret" => Some((Class::Secret, false)),
        b"secrets" => Some((Class::Secret, true)),
        b"token" => Some((Class::Token, false)),
        b"tokens" => Some((Class::Token, true)),
        b"key" => Some((Class::Key, false)),
        b"keys" => Some((Class::Key, true)),
        b"credential" | b"cred" => Some((Class::Credentials, false)),
        b"credentials" | b"creds" => Some((Class::Credentials, true)),
        b"auth" | b"masterauth" | b"basicauth" | b"httpauth" | b"proxyauth" => {
            Some((Class::Auth, false))
        }
        b"authorization" => Some((Class::Authorization, false)),
        b"sig" | b"signature" => Some((Class::Signature, false)),
        b"session" | b"sessionid" | b"sessid" => Some((Class::Session, false)),
        b"dsn" => Some((Class::Dsn, false)),
        b"jwt" => Some((Class::Jwt, false)),
        b"cookie" | b"cookies" => Some((Class::Cookie, false)),
        b"bearer" => Some((Class::Bearer, false)),
        b"requirepass" | b"rootpass" | b"dbpass" | b"adminpass" | b"masterpass" => {
            Some((Class::Password, false))
        }
        _ => None,
    };
    if let Some((class, plural)) = exact {
        return Some((class, 0, plural));
    }
    let (stem, plural) = match c.strip_suffix(b"s") {
        Some(stem) if stem.ends_with(b"key") || stem.ends_with(b"token") => (stem, true),
        _ => (c, false),
    };
    for (suffix, class) in [
        (&b"password"[..], Class::Password),
        (b"passwd", Class::Password),
        (b"passphrase", Class::Password),
        (b"secret", Class::Secret),
        (b"token", Class::Token),
        (b"credentials", Class::Credentials),
        (b"key", Class::Key),
    ] {
        if stem.len() > suffix.len() && stem.ends_with(suffix) {
            return Some((class, stem.len() - suffix.len(), plural));
        }
    }
    None
}

/// Classifies a key name: `lower` is its lowercased bytes, `original` the bytes as written
/// (for camel-case boundaries).
fn classify(lower: &[u8], original: &[u8]) -> Option<(Class, Strength, bool, bool)> {
    let mut parts = [(0, 0); MAX_PARTS];
    let count = components(original, &mut parts);
    let parts = &parts[..count];
    let word = |i: usize| &lower[parts[i].0..parts[i].1];
    // dbt treats every variable named DBT_ENV_SECRET_* as a secret.
    if parts.len() > 3 && word(0) == b"dbt" && word(1) == b"env" && word(2) == b"secret" {
        return Some((Class::Secret, Strength::Strong, false, false));
    }
    let (index, (class, glued, plural)) =
        (0..parts.len()).rev().find_map(|i| core_of(word(i)).map(|core| (i, core)))?;
    let suffix = &parts[index + 1..];
    if suffix.iter().any(|&(s, e)| {
        let w = &lower[s..e];
        !SECRET_SUFFIXES.contains(w) && !w.iter().all(u8::is_ascii_digit)
    }) {
        return None;
    }
    let users = suffix.last().is_some_and(|&(s, e)| &lower[s..e] == b"users");
    let core_word = word(index);
    let glued_prefix = (glued > 0).then(|| &core_word[..glued]);
    let qualifiers = (0..index).map(word).chain(glued_prefix);
    let is = |set: &WordSet| qualifiers.clone().any(|q| set.contains(q));
    if is(&REFERENCE_QUALIFIERS) {
        return None;
    }
    let strength = match class {
        Class::Token if is(&NOT_SECRET_TOKEN) => return None,
        Class::Key => {
            if is(&SECRET_KEY_QUALIFIERS) && !qualifiers.clone().any(|q| q == b"password") {
                Strength::Strong
            } else {
                Strength::Weak
            }
        }
        Class::Secret if plural && index == 0 && glued == 0 => Strength::Weak,
        _ => Strength::Strong,
    };
    Some((class, strength, plural, users))
}

/// Handles the key word at `at`: finds the key, its separator and value, and marks the
/// value when it can be a credential. Returns where the scan resumes.
pub(super) fn at(text: &str, lower: &[u8], at: usize, spans: &mut Spans) -> usize {
    match key_at(text, lower, at) {
        Some(key) => values::after_key(text, &key, spans),
        None => word_end(text.as_bytes(), at),
    }
}

/// The end of the identifier holding `at`.
fn word_end(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && is_key_byte(bytes[at]) {
        at += 1;
    }
    at
}
