//! The credentials one call sent, in every form a peer could echo them back: the value as
//! sent, JSON-escaped, percent- and form-encoded, and a basic-auth header's base64.
//!
//! Peers echo what they received (an OAuth server quoting the form, an API gateway
//! printing the request, a Kubernetes `Status` naming the token). The sanitizer finds
//! credentials by their shape; this removes the ones the call knows it sent, whatever
//! their shape, before the sanitizer runs.

use std::fmt::Write as _;

use base64::Engine as _;

use crate::secret::{Secret, scrub};
use crate::telemetry::{SanitizedMessage, sanitize_with_max_len};

/// Every credential a call sent, as the forms [`SentCredentials::scrub`] removes.
#[derive(Clone, Default)]
pub struct SentCredentials {
    /// Longest first, so that a short form never breaks a longer one apart.
    forms: Vec<Secret<String>>,
}

impl std::fmt::Debug for SentCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SentCredentials({} forms)", self.forms.len())
    }
}

/// `value` percent-encoded: bytes outside `keep` become `%XX` (upper- or lower-case hex).
fn percent(value: &str, keep: &[u8], upper: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || keep.contains(&byte) {
            out.push(char::from(byte));
        } else if upper {
            let _ = write!(out, "%{byte:02X}");
        } else {
            let _ = write!(out, "%{byte:02x}");
        }
    }
    out
}

impl SentCredentials {
    /// No credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `value` (a token, a password, a client secret, a value written to the peer)
    /// in each form a peer could echo it: as sent, JSON-escaped, percent-encoded (RFC
    /// 3986, either hex case) and `application/x-www-form-urlencoded`.
    pub fn add(&mut self, value: &str) {
        if value.is_empty() {
            return;
        }
        let json = serde_json::to_string(value).unwrap_or_default();
        let json = json.get(1..json.len().saturating_sub(1)).unwrap_or_default().to_owned();
        let form: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        let forms = [
            value.to_owned(),
            json,
            form,
            percent(value, b"-._~", true),
            percent(value, b"-._~", false),
        ];
        for form in forms {
            self.push(form);
        }
    }

    /// Adds a basic-auth credential: the password in every form, and the header's
    /// `base64(user:password)`.
    pub fn add_basic(&mut self, user: &str, password: &str) {
        self.add(password);
        let pair = format!("{user}:{password}");
        self.push(base64::engine::general_purpose::STANDARD.encode(pair));
    }

    /// Adds a SASL credential (SMTP `AUTH PLAIN` or `AUTH LOGIN`): the password in every
    /// form, the base64 of the `PLAIN` message (`\0user\0password`) and the base64 of
    /// the password (`LOGIN`'s answer), which a server can quote back.
    ///
    /// # Examples
    /// ```
    /// use floe_core::http::SentCredentials;
    ///
    /// let mut sent = SentCredentials::new();
    /// sent.add_sasl("ops", "pa ss");
    /// let echoed = "535 bad AUTH PLAIN AG9wcwBwYSBzcw== / LOGIN cGEgc3M= (pa ss)";
    /// assert_eq!(sent.scrub(echoed), "535 bad AUTH PLAIN <redacted> / LOGIN <redacted> (<redacted>)");
    /// ```
    pub fn add_sasl(&mut self, user: &str, password: &str) {
        self.add(password);
        let base64 = base64::engine::general_purpose::STANDARD;
        self.push(base64.encode(format!("\0{user}\0{password}")));
        self.push(base64.encode(password));
    }

    /// Adds every credential of `other`.
    pub fn extend(&mut self, other: &Self) {
        for form in &other.forms {
            self.push(form.expose().clone());
        }
    }

    fn push(&mut self, form: String) {
        if form.is_empty() || self.forms.iter().any(|known| *known.expose() == form) {
            return;
        }
        let at = self.forms.partition_point(|known| known.expose().len() >= form.len());
        self.forms.insert(at, Secret::new(form));
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// `text` with every form of every credential replaced by
    /// [`crate::secret::REDACTED`] (through [`crate::secret::scrub`]).
    ///
    /// # Examples
    /// ```
    /// use floe_core::http::SentCredentials;
    ///
    /// let mut sent = SentCredentials::new();
    /// sent.add("s3cr3t/value");
    /// sent.add_basic("ops", "pa ss");
    /// let echoed = "got s3cr3t%2Fvalue and Basic b3BzOnBhIHNz and pa+ss";
    /// assert_eq!(sent.scrub(echoed), "got <redacted> and Basic <redacted> and <redacted>");
    /// ```
    pub fn scrub(&self, text: &str) -> String {
        scrub(text, &self.forms)
    }

    /// `text` scrubbed of every credential, then sanitized and cut to `max_len`
    /// characters: the one way peer text becomes safe for an error or a span.
    pub fn clean(&self, text: &str, max_len: usize) -> SanitizedMessage {
        sanitize_with_max_len(&self.scrub(text), max_len)
    }
}
