//! The fixed word lists the value classifier consults: words that are never a credential
//! in the value position, prose, technical names, lookup functions, units and connection
//! parameters.

use std::sync::LazyLock;

/// Words that are never a credential in the value position: booleans, nulls and the words
/// tools print instead of a value.
const NOT_VALUES: &[&str] = &[
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "none",
    "null",
    "nil",
    "undefined",
    "n/a",
    "na",
    "empty",
    "unset",
    "missing",
    "required",
    "optional",
    "enabled",
    "disabled",
    "redacted",
    "hidden",
    "masked",
    "filtered",
    "omitted",
    "sensitive",
    "notset",
];

/// Words that, after a key and `:` or blanks, make the rest prose or metadata.
const PROSE: &[&str] = &[
    "a",
    "an",
    "the",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "has",
    "have",
    "had",
    "not",
    "must",
    "should",
    "will",
    "would",
    "can",
    "could",
    "cannot",
    "may",
    "might",
    "shall",
    "does",
    "did",
    "do",
    "for",
    "of",
    "in",
    "to",
    "from",
    "with",
    "and",
    "or",
    "on",
    "at",
    "by",
    "as",
    "if",
    "when",
    "while",
    "that",
    "which",
    "this",
    "these",
    "you",
    "your",
    "expired",
    "expires",
    "invalid",
    "incorrect",
    "wrong",
    "revoked",
    "rotated",
    "changed",
    "reset",
    "provided",
    "present",
    "absent",
    "set",
    "ok",
    "failed",
    "failure",
    "denied",
    "rejected",
    "accepted",
    "verified",
    "valid",
    "mismatch",
    "too",
    "length",
    "policy",
    "found",
    "exists",
    "exist",
    "authentication",
    "authorization",
    "verification",
    "validation",
    "rotation",
    "refresh",
    "renewal",
    "expiry",
    "expiration",
    "lifetime",
    "manager",
    "store",
    "provider",
    "endpoint",
    "type",
    "count",
    "limit",
    "error",
    "errors",
    "unknown",
    "supplied",
    "mode",
    "file",
    "value",
    "values",
    "field",
    "header",
    "policy",
    "version",
    "id",
    "name",
    "from",
    "where",
    "select",
    "update",
    "insert",
    "into",
    "null",
    "valid",
    "until",
    "login",
    "connection",
    "encrypted",
    "unencrypted",
    "user",
    "role",
    "check",
    "format",
    "hash",
    "algorithm",
    "method",
    "scope",
    "scopes",
    "audience",
    "issuer",
    "backend",
    "path",
    "key",
    "token",
    "here",
    "there",
    "only",
    "also",
    "again",
    "now",
    "yet",
    "still",
    "any",
    "all",
    "some",
    "every",
    "each",
    "new",
    "old",
    "current",
    "previous",
    "next",
    "same",
    "other",
    "please",
    "see",
];

/// Algorithm and encoding names that look like mixed words but name no secret.
const TECHNICAL: &[&str] = &[
    "sha1",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "md5",
    "base64",
    "base32",
    "utf8",
    "utf-8",
    "hmac-sha1",
    "hmac-sha256",
    "hmac-sha512",
    "aes128",
    "aes256",
    "aes-256-gcm",
    "rs256",
    "rs384",
    "rs512",
    "hs256",
    "hs384",
    "hs512",
    "es256",
    "es384",
    "ps256",
    "ed25519",
    "x509",
    "oauth2",
    "ipv4",
    "ipv6",
    "http2",
    "http1.1",
    "tls1.2",
    "tls1.3",
    "pbkdf2",
    "bcrypt",
    "scrypt",
    "argon2",
    "argon2id",
    "s3",
    "gcs",
    "aws4-hmac-sha256",
    "goog4-rsa-sha256",
];

/// Functions that look a secret up rather than hold one.
pub(super) const REFERENCE_CALLS: &[&str] = &[
    "env",
    "env_var",
    "getenv",
    "os.getenv",
    "os.environ.get",
    "environ.get",
    "vault",
    "lookup",
    "file",
    "read_file",
    "readfile",
    "get_secret",
    "getsecret",
    "from_env",
    "var",
    "dbutils.secrets.get",
    "secretsmanager",
    "keyring.get_password",
];

/// Units a number may carry.
pub(super) const UNITS: &[&str] = &[
    "", "s", "ms", "us", "ns", "m", "h", "d", "w", "y", "k", "b", "kb", "mb", "gb", "tb", "pb",
    "kib", "mib", "gib", "tib", "ki", "mi", "gi", "ti", "x", "px", "z", "min", "sec", "hrs",
];

/// Parameter names of connection strings that hold no secret.
pub(super) const CONNECTION_PARAMS: &[&str] = &[
    "host",
    "hostname",
    "server",
    "port",
    "dbname",
    "database",
    "db",
    "user",
    "username",
    "uid",
    "account",
    "endpoint",
    "defaultendpointsprotocol",
    "accountname",
    "driver",
    "data source",
    "sslmode",
    "region",
    "type",
    "provider",
    "protocol",
];

/// The longest word of the lists below; longer values are never looked up.
pub(super) const LONGEST: usize = 24;

/// `v` lowercased into `buffer`, or an empty slice when it is too long to be a listed word.
pub(super) fn lowercase<'a>(v: &str, buffer: &'a mut [u8; LONGEST]) -> &'a [u8] {
    if v.len() > LONGEST {
        return &[];
    }
    buffer[..v.len()].copy_from_slice(v.as_bytes());
    buffer[..v.len()].make_ascii_lowercase();
    &buffer[..v.len()]
}

/// A word of at most [`LONGEST`] bytes packed into integers, so set lookups compare
/// integers rather than calling `memcmp` on short slices.
type Packed = [u64; 3];

fn pack(word: &[u8]) -> Option<Packed> {
    if word.is_empty() || word.len() > LONGEST {
        return None;
    }
    let mut bytes = [0u8; LONGEST];
    bytes[..word.len()].copy_from_slice(word);
    let mut out = [0u64; 3];
    for (slot, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        *slot = u64::from_be_bytes(eight);
    }
    Some(out)
}

/// A sorted set of packed words.
pub(super) struct WordSet(Vec<Packed>);

impl WordSet {
    pub(super) fn new(list: &[&str]) -> Self {
        let mut out: Vec<Packed> = list.iter().filter_map(|w| pack(w.as_bytes())).collect();
        out.sort_unstable();
        out.dedup();
        Self(out)
    }

    /// Whether the lowercase `word` is in the set.
    pub(super) fn contains(&self, word: &[u8]) -> bool {
        pack(word).is_some_and(|p| self.0.binary_search(&p).is_ok())
    }
}

static NOT_VALUES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(NOT_VALUES));
static PROSE_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(PROSE));
static TECHNICAL_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(TECHNICAL));

/// A boolean, a null or a word printed instead of a value (`redacted`, `unset`).
pub(super) fn is_not_value(lower: &[u8]) -> bool {
    NOT_VALUES_SET.contains(lower)
}

/// A word of prose or metadata.
pub(super) fn is_prose(lower: &[u8]) -> bool {
    PROSE_SET.contains(lower)
}

/// An algorithm or encoding name (`sha256`, `base64`).
pub(super) fn is_technical(lower: &[u8]) -> bool {
    TECHNICAL_SET.contains(lower)
}
