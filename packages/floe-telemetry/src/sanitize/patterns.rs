//! The credential shapes the sanitizer recognises, compiled into one multi-pattern automaton.
//!
//! All patterns run together in a single left-to-right pass of a lazy DFA (the
//! `regex-automata` meta engine): time is linear in the input whatever it holds, and no
//! capture groups are computed. The engine reports which pattern matched; `super::redact`
//! splits the match by hand (the split points are fixed characters such as the first
//! `=`, `:` or `://`), so the cost per match stays a few hundred nanoseconds.
//!
//! Patterns are ASCII-only and case-insensitive, matched over the UTF-8 bytes of the
//! message. Every match starts and ends on an ASCII byte or at the end of the input (value
//! classes are negated ASCII sets, which swallow whole multi-byte characters), so
//! slicing the message at match boundaries never splits a character.
//!
//! Value classes accept `<`, `>` and letters, so a second pass sees `<REDACTED>` as a
//! whole value and keeps it: this is what makes sanitizing idempotent.

use std::sync::LazyLock;

use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;

/// What a match is, in pattern order (the order decides between patterns that match at
/// the same position).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// `${secret:name}` / `${env:NAME}`: names a secret, kept.
    Reference,
    /// A PEM or OpenSSH private-key block, terminated or cut off.
    PrivateKey,
    /// A Slack/Discord/Teams webhook URL: the path is the credential.
    Webhook,
    /// `scheme://userinfo@`: the user info is redacted.
    UrlUserinfo,
    /// `Authorization: <scheme> <credentials>` to the end of the line.
    AuthHeader,
    /// `Cookie:` / `Set-Cookie:` to the end of the line.
    Cookie,
    /// `Bearer <token>`.
    Bearer,
    /// `key=value`, `key: value`, `"key": "value"`, `key => value`, `key := value`.
    KeyValue,
    /// `local@domain.tld`: the local part is personal data.
    Email,
    /// A provider token recognisable by its shape alone.
    ValueShape,
}

const KINDS: [Kind; 10] = [
    Kind::Reference,
    Kind::PrivateKey,
    Kind::Webhook,
    Kind::UrlUserinfo,
    Kind::AuthHeader,
    Kind::Cookie,
    Kind::Bearer,
    Kind::KeyValue,
    Kind::Email,
    Kind::ValueShape,
];

impl Kind {
    pub(super) fn from_pattern(index: usize) -> Self {
        KINDS.get(index).copied().unwrap_or(Kind::ValueShape)
    }
}

/// Key words that mark the value after a separator as secret, even when glued to a
/// camel-case prefix (`clientSecret`, `accessToken`, `dbPassword`).
const GLUED_CORES: &str = "password|passwd|passphrase|secret|token|credentials?|signature|apikey|\
    cookie|privatekey|accesskey|accountkey|secretkey|masterkey|sharedkey|signingkey|\
    encryptionkey|clientkey|subscriptionkey|authkey|sessionkey|storagekey";

/// Short key words that are secret only as a whole word (`pwd=`, `x-auth=`, `sig=`).
const WORD_CORES: &str = "pwd|auth|session|sig|sas|dsn|jwt";

/// What may follow the key word and still name the secret itself (`secret_value`,
/// `token_hash`, `private_key_id`) rather than something about it (`secret_name`,
/// `token_type`, `password_policy`, which stay readable).
const SUFFIXES: &str = "value|string|str|hash|b64|base64|enc|encrypted|plain|plaintext|raw|data|\
    id|key|token|secret|hex|bytes|content|[0-9]+";

/// Credential formats with a recognisable prefix or structure, matched case-sensitively.
const VALUE_SHAPES: &[&str] = &[
    // AWS access key ids.
    r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|AKPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b",
    // GitHub tokens.
    r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})",
    // GitLab tokens.
    r"\bgl(?:pat|dt|rt|ptt|cbt|ft|imt|soat|oas)-[A-Za-z0-9_\-]{20,}",
    // Slack tokens.
    r"\b(?:xox[abposre]-[A-Za-z0-9\-]{10,}|xapp-[0-9]-[A-Za-z0-9\-]{10,})",
    // Stripe keys and webhook secrets.
    r"\b(?:(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,})",
    // Google API keys, OAuth access tokens and client secrets.
    r"\b(?:AIza[0-9A-Za-z_\-]{35}|ya29\.[0-9A-Za-z_\-]{20,}|GOCSPX-[0-9A-Za-z_\-]{20,})",
    // JSON Web Tokens (a JSON header always encodes to `eyJ`).
    r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*",
    // OpenAI/Anthropic-style, npm, PyPI, Hugging Face, SendGrid, DigitalOcean, Shopify.
    r"\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,}|npm_[A-Za-z0-9]{36}|pypi-[A-Za-z0-9_\-]{50,}|hf_[A-Za-z]{30,}|SG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}|dop_v1_[a-f0-9]{64}|shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})",
];

/// The patterns, in [`Kind`] order.
fn patterns() -> Vec<String> {
    let prefix = r"(?:[a-z0-9]+[_.\-])";
    let key_name = format!(
        r"(?:{prefix}*(?:[a-z0-9]*(?:{GLUED_CORES})|(?:{WORD_CORES}))|{prefix}+key)(?:[_.\-]?(?:{SUFFIXES}))?s?"
    );
    vec![
        r"\$\{(?:secret|env):[^}\s]*\}".to_owned(),
        r"-----BEGIN[ A-Z0-9]*PRIVATE KEY[ A-Z]*-----(?s:.*?-----END[ A-Z0-9]*PRIVATE KEY[ A-Z]*-----|.*)"
            .to_owned(),
        r#"https?://(?:hooks\.slack\.com/(?:services|workflows|triggers)/|(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/|[a-z0-9.\-]+\.webhook\.office\.com/webhookb2/|outlook\.office\.com/webhook/)[^\s'"]+"#
            .to_owned(),
        // The password part may hold `@`, `/` and `:`; it runs to the last `@` of the word.
        r#"\b[a-z][a-z0-9+.\-]{0,30}://[^\s/?#@:"]*(?::[^\s"]*)?@"#.to_owned(),
        r#"["']?\b(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*(?:"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[^\r\n]+)"#
            .to_owned(),
        r"\b(?:set-)?cookie[ \t]*:[ \t]*[^\r\n]+".to_owned(),
        r"\bbearer[ \t]+[A-Za-z0-9\-._~+/<>]+=*".to_owned(),
        format!(
            r#"["']?\b{key_name}["']?[ \t]*(?:=>|:=|=|:)[ \t]*(?:"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|\{{[^{{}}]*\}}?|\[[^\[\]]*\]?|[^\s&,;"']+)"#
        ),
        r"\b[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}".to_owned(),
        format!("(?-i:{})", VALUE_SHAPES.join("|")),
    ]
}

/// The compiled automaton.
pub(super) static PATTERNS: LazyLock<Regex> = LazyLock::new(|| {
    let patterns = patterns();
    Regex::builder()
        .syntax(syntax::Config::new().utf8(false).unicode(false).case_insensitive(true))
        .configure(
            meta::Config::new()
                .utf8_empty(false)
                .nfa_size_limit(Some(64 << 20))
                .hybrid_cache_capacity(16 << 20),
        )
        .build_many(&patterns)
        .expect("the sanitizer patterns are compile-time constants covered by unit tests")
});
