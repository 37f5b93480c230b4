//! Whether a value found after a key can be a credential.
//!
//! A value is kept when it plainly is not one: empty, already redacted or masked
//! (`********`, `<REDACTED>`), a placeholder (`<your-password>`, `[hidden]`), a reference to
//! where the secret is kept (`${DB_PASSWORD}`, `{{ env_var('X') }}`, `vault:kv/db#pw`,
//! `arn:aws:secretsmanager:..`), a boolean or null, a number (except a numeric password), a
//! file path, the name of a secret (`db-password`, `DB_PASSWORD`), or prose (`password reset
//! required`, `token: expired`). What remains depends on how the value is attached: after
//! a sure key and `=`/`:` it is a credential; after blanks only (a config line, prose) or a
//! weak key it is one only if it looks like one (letters mixed with digits or symbols, or
//! random).

use super::keys::{Class, Strength};
use super::values::Sep;
use super::words::{self, CONNECTION_PARAMS, REFERENCE_CALLS, UNITS};

/// What is known about a value's position.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ctx {
    pub(super) sep: Sep,
    pub(super) class: Class,
    pub(super) strength: Strength,
    pub(super) flag: bool,
    pub(super) quoted: bool,
}

/// The decision on a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Replace it with the marker.
    Secret,
    /// Leave it; the scan resumes after it.
    Keep,
    /// It holds `name=value` fields of its own; the scan resumes inside it.
    Structured,
}

/// Judges `value`. `rest` is the text after the value (for prose detection).
pub(super) fn judge(value: &str, ctx: Ctx, rest: &[u8]) -> Verdict {
    let v = value.trim_matches(|c: char| c == ' ' || c == '\t');
    if v.is_empty() || super::is_marker_or_cut(v) || is_masked(v) || is_placeholder(v) {
        return Verdict::Keep;
    }
    if is_reference(v) {
        return Verdict::Keep;
    }
    // After blanks or a weak key, a value must look like a credential whatever else it
    // is; the test is cheap and settles most prose at once.
    let weak_position = match ctx.sep {
        // `--password hunter2` takes the next word; `password  hunter2` on a config line or
        // in prose only if it looks like a credential; SQL's `PASSWORD 'x'` is quoted.
        Sep::Space => !(ctx.flag || ctx.quoted && ctx.class == Class::Password),
        _ => false,
    };
    if (weak_position && !looks_like_credential(v))
        || (ctx.strength == Strength::Weak && !looks_random(v) && !is_structured(v))
    {
        return Verdict::Keep;
    }
    if is_structured(v) {
        return Verdict::Structured;
    }
    let mut buffer = [0u8; words::LONGEST];
    let lower = words::lowercase(v, &mut buffer);
    if words::is_not_value(lower) {
        return Verdict::Keep;
    }
    let prose_position = matches!(ctx.sep, Sep::Colon | Sep::Space) && !ctx.flag;
    if prose_position && words::is_prose(lower) {
        return Verdict::Keep;
    }
    if v.bytes().all(|b| b.is_ascii_digit()) {
        let numeric_password = ctx.class == Class::Password
            && v.len() >= 4
            && (ctx.quoted || matches!(ctx.sep, Sep::Equals | Sep::Colon | Sep::Paren) || ctx.flag);
        return if numeric_password { Verdict::Secret } else { Verdict::Keep };
    }
    if is_quantity(v) || is_path(v) || names_a_secret(v) || words::is_technical(lower) {
        return Verdict::Keep;
    }
    if ctx.strength == Strength::Weak {
        return if looks_random(v) { Verdict::Secret } else { Verdict::Keep };
    }
    if weak_position {
        return if looks_like_credential(v) { Verdict::Secret } else { Verdict::Keep };
    }
    if ctx.sep == Sep::Colon && !ctx.quoted && is_prose_word(v) && continues_as_prose(rest) {
        return Verdict::Keep;
    }
    if ctx.sep == Sep::Colon && !ctx.quoted && (is_next_key(v) || is_camel_words(v)) {
        return Verdict::Keep;
    }
    Verdict::Secret
}

/// `****`, `xxxxxx`, `****************MPLE` (a key shown by its last four characters).
fn is_masked(v: &str) -> bool {
    let stars = v.bytes().filter(|&b| matches!(b, b'*' | b'#' | b'x' | b'X' | b'.' | b'-')).count();
    let leading = v.bytes().take_while(|&b| b == b'*').count();
    v.len() >= 3 && (stars == v.len() && v.bytes().any(|b| b == b'*' || b == b'x' || b == b'X'))
        || leading >= 6
        || v.chars().all(|c| c == '•' || c == '●')
}

/// `<your-password>`, `[hidden]`, `(not set)`, `<REDACTED>`, `YOUR_API_KEY`.
pub(super) fn is_placeholder(v: &str) -> bool {
    let v = v.trim();
    let bracketed = [("<", ">"), ("[", "]"), ("(", ")"), ("{", "}")]
        .iter()
        .find_map(|(open, close)| v.strip_prefix(open).and_then(|r| r.strip_suffix(close)));
    if let Some(inner) = bracketed {
        return !inner.is_empty()
            && inner.len() <= 40
            && inner.bytes().all(|b| b.is_ascii_alphabetic() || matches!(b, b' ' | b'-' | b'_'));
    }
    let upper_ident = v.len() >= 4
        && v.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && v.bytes().next().is_some_and(|b| b.is_ascii_uppercase());
    upper_ident && (v.starts_with("YOUR_") || v.starts_with("MY_") || names_core(v))
}

/// `${X}`, `$X`, `{{ env_var('X') }}`, `%(x)s`, `vault:...`, `arn:aws:...`, `op://...`.
pub(super) fn is_reference(v: &str) -> bool {
    let lower = v.as_bytes();
    // Every reference starts with one of these bytes; most values do not.
    if !lower.first().is_some_and(|b| b"$%{@vVoOaAfFeEsSgGrR!kKdDiIpP".contains(b)) {
        return false;
    }
    let starts =
        |p: &str| lower.len() >= p.len() && lower[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    if let Some(rest) = v.strip_prefix('$') {
        let ident_upper = rest.len() >= 2
            && rest.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            && names_core(rest);
        return rest.starts_with('{')
            || rest.starts_with('(')
            || ident_upper
            || rest.starts_with("env:");
    }
    if starts("%(") || starts("{{") || starts("{%") {
        return true;
    }
    // Windows `%DB_PASSWORD%`.
    if let Some(inner) = v.strip_prefix('%').and_then(|r| r.strip_suffix('%'))
        && inner.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && names_core(inner)
    {
        return true;
    }
    // curl's and the az CLI's `@file`.
    if v.strip_prefix('@').is_some_and(is_path) {
        return true;
    }
    [
        "vault:",
        "op://",
        "arn:aws:",
        "arn:aws-",
        "file:",
        "env:",
        "@microsoft.keyvault(",
        "secretref",
        "secretkeyref",
        "sm://",
        "gcpsm://",
        "awssm:",
        "ref+",
        "!vault",
        "keyvault:",
        "azurekeyvault:",
        "aws-secretsmanager:",
        "aws-ssm:",
        "ssm:",
        "doppler:",
        "infisical:",
        "k8s:",
        "secret:",
        "secrets:",
        "env_var(",
        "os.environ",
    ]
    .iter()
    .any(|p| starts(p))
        || (starts("projects/") && lower.windows(9).any(|w| w == b"/secrets/"))
}

/// Whether a function call named `name` looks a secret up.
pub(super) fn is_reference_call(name: &str) -> bool {
    REFERENCE_CALLS.iter().any(|c| name.eq_ignore_ascii_case(c))
}

/// A value made of `name=value` fields of its own (`host=db user=app password=x`,
/// `aws_access_key_id=..;aws_secret_access_key=..`) or a URL: judged field by field. Fields
/// whose names say nothing (`alerts=x;ops=y`) are a packed list, judged whole.
fn is_structured(v: &str) -> bool {
    let b = v.as_bytes();
    if memchr::memchr3(b':', b'=', b'@', b).is_none() {
        return false;
    }
    if is_url(v) || is_oracle_connect(v) {
        return true;
    }
    let mut first = true;
    for item in v.split([' ', ';', ',', '&', '\n']) {
        let Some((name, value)) = item.split_once('=') else {
            first = false;
            continue;
        };
        let named = !name.is_empty()
            && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if named && !value.is_empty() {
            if names_core(name) || has_core_suffix(name) {
                return true;
            }
            if first && CONNECTION_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(name)) {
                return true;
            }
        }
        first = false;
    }
    false
}

/// `DB_PASSWORD`, `AccountKey`, `x_token`: a name ending with a key word.
fn has_core_suffix(name: &str) -> bool {
    let b = name.as_bytes();
    ["password", "secret", "token", "key", "passwd"]
        .iter()
        .any(|w| b.len() >= w.len() && b[b.len() - w.len()..].eq_ignore_ascii_case(w.as_bytes()))
}

/// `scheme://...`: the URL rules judge its user info and query.
fn is_url(v: &str) -> bool {
    v.as_bytes().windows(3).position(|w| w == b"://").is_some_and(|at| {
        let scheme = &v.as_bytes()[..at];
        !scheme.is_empty()
            && scheme[0].is_ascii_alphabetic()
            && scheme.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'))
    })
}

/// Oracle's `user/password@//host/service`.
fn is_oracle_connect(v: &str) -> bool {
    v.as_bytes().windows(3).position(|w| w == b"@//").is_some_and(|at| {
        let head = &v[..at];
        head.split_once('/').is_some_and(|(user, _)| {
            !user.is_empty() && user.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    })
}

/// Whether the bytes start a `name=value` or `name: value` field.
pub(super) fn starts_with_field(b: &[u8]) -> bool {
    let n = b.iter().take(64).take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count();
    if n == 0 || !b[0].is_ascii_alphabetic() {
        return false;
    }
    let mut i = n;
    while b.get(i).is_some_and(|c| *c == b' ') {
        i += 1;
    }
    matches!(b.get(i), Some(b'=') if b.get(i + 1) != Some(&b'='))
        || (b.get(i) == Some(&b':') && b.get(i + 1).is_some_and(|c| *c == b' '))
}

/// `30s`, `1.5`, `512MB`, `2024-05-01`, `10:00:00Z`, `v1.2.3`, `8080:80`.
fn is_quantity(v: &str) -> bool {
    let core = v.strip_prefix('v').unwrap_or(v);
    if !core.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let unit: usize = core.bytes().rev().take_while(u8::is_ascii_alphabetic).count();
    let body = &core[..core.len() - unit];
    UNITS.contains(&core[core.len() - unit..].to_ascii_lowercase().as_str())
        && !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b':' | b'T' | b'+' | b'/'))
}

/// A file path made of ordinary lowercase names: `/run/secrets/db_password`, `~/.pgpass`.
fn is_path(v: &str) -> bool {
    let rest = ["/", "./", "../", "~/"].iter().find_map(|p| v.strip_prefix(p));
    let Some(rest) = rest else { return false };
    let segments: Vec<&str> = rest.split('/').collect();
    (v.starts_with('~') || v.starts_with('.') || segments.len() >= 2)
        && segments.iter().all(|s| {
            s.bytes().all(|b| {
                b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || matches!(b, b'.' | b'_' | b'-' | b'~')
            })
        })
}

/// Whether a text holds one of the key words as a whole segment (any case).
fn names_core(text: &str) -> bool {
    const CORES: &[&str] = &[
        "password",
        "passwd",
        "pwd",
        "pass",
        "secret",
        "secrets",
        "token",
        "tokens",
        "key",
        "keys",
        "apikey",
        "creds",
        "credentials",
        "credential",
        "auth",
        "passphrase",
        "cert",
    ];
    text.split(|c: char| !c.is_ascii_alphanumeric()).any(|s| {
        CORES.iter().any(|c| c.eq_ignore_ascii_case(s))
            || (s.len() > 8 && s[s.len() - 8..].eq_ignore_ascii_case("password"))
    })
}

/// The name of a secret (`db-password`, `prod/db/password`, `DB_PASSWORD`): words in one
/// case joined by separators, one of them a key word.
fn names_a_secret(v: &str) -> bool {
    if !v.bytes().any(|b| matches!(b, b'-' | b'_' | b'/' | b'.' | b':')) {
        return false;
    }
    let mut segments = 0;
    let (mut lower, mut upper) = (true, true);
    for s in v.split(['-', '_', '/', '.', ':']).filter(|s| !s.is_empty()) {
        segments += 1;
        lower &= s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        upper &= s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    }
    segments >= 2 && (lower || upper) && names_core(v)
}

fn is_name_segment(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().all(u8::is_ascii_digit)
        || b.iter().all(u8::is_ascii_lowercase)
        || b.iter().all(u8::is_ascii_uppercase)
        || (b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_lowercase))
}

/// Ordinary words joined by separators (`floe-ci-2024`, `orders.created`, `floe_s3`); a
/// single segment only when it is one plain word or number.
fn is_name_like(v: &str) -> bool {
    let mut segments = v.split(['-', '_', '/', '.', ':', ' ']).filter(|s| !s.is_empty());
    let Some(first) = segments.next() else { return false };
    let mut rest = segments.peekable();
    if rest.peek().is_none() {
        return is_name_segment(first);
    }
    std::iter::once(first).chain(rest).all(|s| is_name_segment(s) || is_numbered_word(s))
}

/// `s3`, `v2`, `db01`: a short word with a short number.
fn is_numbered_word(s: &str) -> bool {
    let letters = s.bytes().take_while(u8::is_ascii_lowercase).count();
    let digits = s.len() - letters;
    letters >= 1 && (1..=2).contains(&digits) && s.bytes().skip(letters).all(|b| b.is_ascii_digit())
}

/// Letters only, all lowercase or capitalised: a word of prose.
fn is_prose_word(v: &str) -> bool {
    let b = v.as_bytes();
    !b.is_empty() && b[0].is_ascii_alphabetic() && b[1..].iter().all(u8::is_ascii_lowercase)
}

/// Whether the text after a value goes on as prose: a lowercase word that is not a key.
fn continues_as_prose(rest: &[u8]) -> bool {
    let rest = &rest[rest.iter().take_while(|b| **b == b' ').count()..];
    let n = rest.iter().take_while(|b| b.is_ascii_lowercase()).count();
    let word = n + rest[n..].iter().take_while(|b| b.is_ascii_digit()).count();
    n >= 2
        && rest.get(word).is_none_or(|b| {
            !matches!(b, b':' | b'=' | b'_' | b'-' | b'.') && !b.is_ascii_alphanumeric()
        })
}

/// `ResourceNotFoundException`, `ClearTextPassword`: capitalised words run together.
fn is_camel_words(v: &str) -> bool {
    let b = v.as_bytes();
    let humps = b.iter().filter(|c| c.is_ascii_uppercase()).count();
    humps >= 2
        && b[0].is_ascii_uppercase()
        && b.iter().all(u8::is_ascii_alphabetic)
        && b.windows(2).all(|w| !(w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase()))
}

/// `secretRef:` / `Database:`: the value position holds the next key, the value is empty.
fn is_next_key(v: &str) -> bool {
    let Some(name) = v.strip_suffix(':') else { return false };
    let b = name.as_bytes();
    !b.is_empty()
        && b.iter().all(u8::is_ascii_alphabetic)
        && b.windows(2).all(|w| !(w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase()))
}

/// Whether a value in a weak position (after blanks, or after a short flag) looks like a
/// credential: letters mixed with digits or symbols, or inner capitals, and not a name.
pub(super) fn looks_like_credential(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() < 5 || is_name_like(v) || is_quantity(v) {
        return false;
    }
    let letters = b.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    let symbols = b.iter().filter(|c| b"!@#$%^&*+=?~".contains(c)).count();
    let inner_upper =
        b.iter().skip(1).any(u8::is_ascii_uppercase) && b.iter().any(u8::is_ascii_lowercase);
    letters > 0 && (digits > 0 || symbols > 0 || inner_upper)
}

/// Whether a value looks random: long, mixing character classes, not made of words.
pub(super) fn looks_random(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() < 12
        || is_name_like(v)
        || is_camel_words(v)
        || is_path(v)
        || b.iter().any(u8::is_ascii_whitespace)
    {
        return false;
    }
    let classes = [
        b.iter().any(u8::is_ascii_lowercase),
        b.iter().any(u8::is_ascii_uppercase),
        b.iter().any(u8::is_ascii_digit),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    classes >= 2
}
