//! proptest strategies for credentials and for messages that embed them the way real
//! clients print them.
//!
//! Every generated credential contains [`SENTINEL`], so a failing case never looks like a
//! real secret to a scanner and a leak is easy to spot in output.

use proptest::prelude::*;
use proptest::sample::select;

/// Text every generated credential contains.
pub const SENTINEL: &str = "FLOETEST";

/// A generated credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// The secret value.
    pub value: String,
    /// What it is (`password`, `jwt`, `aws_access_key_id`, ...).
    pub shape: &'static str,
    /// Whether its shape alone identifies it (a provider token), so it can appear bare.
    pub recognisable: bool,
}

/// A message that embeds a planted credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlantedMessage {
    /// The whole message.
    pub message: String,
    /// The credential that must not survive sanitizing.
    pub secret: String,
    /// How it was embedded (`url_userinfo`, `json`, ...).
    pub embedding: &'static str,
}

fn with_sentinel(body: &str, at: usize) -> String {
    let at = body.char_indices().nth(at).map_or(body.len(), |(i, _)| i);
    format!("{}{SENTINEL}{}", &body[..at], &body[at..])
}

/// Passwords with URL-hostile characters (`@ / : % # ? & = +` and friends).
pub fn password() -> impl Strategy<Value = Credential> {
    ("[A-Za-z0-9@/:%#?&=+!$*,;~._-]{4,16}", 0usize..16).prop_map(|(body, at)| Credential {
        value: with_sentinel(&body, at),
        shape: "password",
        recognisable: false,
    })
}

/// Opaque bearer tokens.
pub fn bearer_token() -> impl Strategy<Value = Credential> {
    ("[A-Za-z0-9._~+/-]{8,40}", 0usize..40).prop_map(|(body, at)| Credential {
        value: with_sentinel(&body, at),
        shape: "bearer_token",
        recognisable: false,
    })
}

/// JSON Web Tokens (three base64url parts, header starting `eyJ`).
pub fn jwt() -> impl Strategy<Value = Credential> {
    ("[A-Za-z0-9_-]{10,30}", "[A-Za-z0-9_-]{10,60}", "[A-Za-z0-9_-]{10,40}").prop_map(
        |(h, p, s)| Credential {
            value: format!("eyJ{h}.eyJ{p}.{SENTINEL}{s}"),
            shape: "jwt",
            recognisable: true,
        },
    )
}

/// AWS access key ids.
pub fn aws_access_key_id() -> impl Strategy<Value = Credential> {
    (select(&["AKIA", "ASIA"][..]), "[A-Z0-9]{8}").prop_map(|(prefix, tail)| Credential {
        value: format!("{prefix}{SENTINEL}{tail}"),
        shape: "aws_access_key_id",
        recognisable: true,
    })
}

/// GitHub, GitLab, Slack, Stripe and Google token shapes.
pub fn provider_token() -> impl Strategy<Value = Credential> {
    prop_oneof![
        "[A-Za-z0-9]{30}".prop_map(|t| ("github", format!("ghp_{SENTINEL}{t}"))),
        "[A-Za-z0-9_-]{20}".prop_map(|t| ("gitlab", format!("glpat-{SENTINEL}{t}"))),
        "[0-9]{10}-[A-Za-z0-9]{12}".prop_map(|t| ("slack", format!("xoxb-{SENTINEL}{t}"))),
        "[A-Za-z0-9]{16}".prop_map(|t| ("stripe", format!("sk_live_{SENTINEL}{t}"))),
        "[A-Za-z0-9_-]{27}".prop_map(|t| ("google", format!("AIza{SENTINEL}{t}"))),
    ]
    .prop_map(|(shape, value)| Credential { value, shape, recognisable: true })
}

/// PEM private-key blocks.
pub fn private_key() -> impl Strategy<Value = Credential> {
    (
        select(&["RSA ", "EC ", "OPENSSH ", ""][..]),
        prop::collection::vec("[A-Za-z0-9+/]{16,64}", 1..4),
    )
        .prop_map(|(kind, lines)| Credential {
            value: format!(
                "-----BEGIN {kind}PRIVATE KEY-----\n{SENTINEL}{}\n-----END {kind}PRIVATE KEY-----",
                lines.join("\n")
            ),
            shape: "private_key",
            recognisable: true,
        })
}

/// Any credential: passwords, bearer tokens, JWTs, AWS access key ids, provider tokens
/// and PEM private keys.
pub fn credential() -> impl Strategy<Value = Credential> {
    prop_oneof![
        password(),
        bearer_token(),
        jwt(),
        aws_access_key_id(),
        provider_token(),
        private_key()
    ]
}

/// Ordinary words around a credential; none of them is a secret key word.
fn words() -> impl Strategy<Value = String> {
    prop::collection::vec(
        select(
            &[
                "connect",
                "failed",
                "while",
                "calling",
                "the",
                "catalog",
                "request",
                "returned",
                "status",
                "503",
                "retry",
                "later",
                "host",
                "db.internal:5432",
                "timeout",
                "after",
                "30s",
                "(os",
                "error",
                "111)",
                "for",
                "model",
                "orders",
                "—",
                "données",
                "🦀",
            ][..],
        ),
        0..6,
    )
    .prop_map(|w| w.join(" "))
}

/// Key names a client would print a secret under.
fn secret_key() -> impl Strategy<Value = &'static str> {
    select(
        &[
            "password",
            "PASSWORD",
            "db_password",
            "client_secret",
            "api_key",
            "apiKey",
            "x-api-key",
            "access_token",
            "refresh_token",
            "secret",
            "token",
            "aws_secret_access_key",
            "private_key",
            "credentials",
            "sig",
            "signature",
            "passwd",
            "pwd",
            "sessionToken",
            "auth",
        ][..],
    )
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn python_repr(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Embeds `credential` in a message the way real clients print secrets: URL user info
/// (raw and percent-encoded), `k=v`, `k: v`, JSON, Python reprs, query strings, HTTP
/// headers, and bare (only for recognisable token shapes).
pub fn planted_message(
    credential: impl Strategy<Value = Credential>,
) -> impl Strategy<Value = PlantedMessage> {
    (credential, secret_key(), words(), words(), 0usize..10).prop_map(
        |(cred, key, before, after, how)| {
            let value = &cred.value;
            // Unquoted forms cannot carry the delimiters that end a value; clients quote or
            // encode such values, and so do we.
            let plain = !value.contains(|c: char| c.is_whitespace() || "&,;\"'".contains(c));
            let (embedding, text) = match how {
                0 if !value.contains(['"', '\n']) => {
                    ("url_userinfo", format!("postgres://app:{value}@db.internal:5432/x"))
                }
                1 => (
                    "url_userinfo_encoded",
                    format!("https://svc:{}@api.example.com/v1", percent_encode(value)),
                ),
                2 if plain => ("key_equals_value", format!("{key}={value}")),
                3 if plain => ("key_colon_value", format!("{key}: {value}")),
                4 => (
                    "json",
                    format!(
                        "{{\"user\": \"app\", \"{key}\": {}}}",
                        serde_json::to_string(value).unwrap_or_default()
                    ),
                ),
                5 => ("python_repr", format!("{{'user': 'app', '{key}': {}}}", python_repr(value))),
                6 => (
                    "query_string",
                    format!(
                        "https://api.example.com/cb?page=2&{key}={}&x=1",
                        percent_encode(value)
                    ),
                ),
                7 if !value.contains('\n') => {
                    ("authorization_header", format!("Authorization: Bearer {value}"))
                }
                8 if cred.recognisable => ("bare", value.clone()),
                _ => (
                    "json",
                    format!("{{\"{key}\": {}}}", serde_json::to_string(value).unwrap_or_default()),
                ),
            };
            PlantedMessage {
                message: format!("{before} {text} {after}"),
                secret: value.clone(),
                embedding,
            }
        },
    )
}

/// Messages with no credential, which the sanitizer must leave unchanged.
pub fn ordinary_message() -> impl Strategy<Value = String> {
    prop::collection::vec(
        select(
            &[
                "password policy requires 12 characters",
                "token bucket exhausted",
                "secret not found: prod/db/password",
                "GET https://api.example.com/v1/items?page=2 returned 503",
                "connection refused (os error 111)",
                "dbt: PASS=5 WARN=0 ERROR=1",
                "secret_name=prod/db key_name=password",
                "failed to resolve ${secret:db_password}",
                "model orders failed on données 数据",
            ][..],
        ),
        1..4,
    )
    .prop_map(|parts| parts.join("; "))
}
