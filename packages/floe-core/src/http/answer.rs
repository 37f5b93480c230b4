//! `PeerAnswer`: what a peer answered, read in full within the call's limits. The raw
//! body is for parsing a success; any peer text that may reach an error or a span comes
//! out scrubbed of the call's credentials and sanitized.

use serde::de::DeserializeOwned;

use super::endpoint::excerpt_of;
use super::{PeerError, SentCredentials};
use crate::telemetry::SanitizedMessage;

/// A complete answer (any status but 3xx, which [`crate::http::Peer::send`] refuses).
#[derive(Debug)]
pub struct PeerAnswer {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    pub(crate) destination: String,
    pub(crate) credentials: SentCredentials,
    pub(crate) attempts: u32,
}

/// The category of a JSON error: serde's messages can quote the input, the category
/// cannot.
pub(crate) fn json_category(error: &serde_json::Error) -> &'static str {
    match error.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "wrong shape",
        serde_json::error::Category::Eof => "truncated",
    }
}

impl PeerAnswer {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// How many times the request was sent to get this answer (1 unless 429, 503 or a
    /// refused connection made [`crate::http::Peer::send`] retry).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The peer as `host[:port]`.
    pub fn destination(&self) -> &str {
        &self.destination
    }

    /// The body as received. For parsing a success answer (which may hold secret
    /// values the plugin asked for); text for an error goes through
    /// [`PeerAnswer::peer_text`] or [`PeerAnswer::error`] instead.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body parsed as `T`.
    ///
    /// # Errors
    /// [`PeerError::Malformed`] with serde's category only (never its message, which
    /// can quote the input).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, PeerError> {
        serde_json::from_slice(&self.body).map_err(|error| PeerError::Malformed {
            destination: self.destination.clone(),
            category: json_category(&error),
        })
    }

    /// The peer's own words about the answer: what `extract` picks from the body (a
    /// Kubernetes `Status` message, an OAuth `error_description`), or, when it picks
    /// nothing, the body's first line; scrubbed of every credential the call sent, then
    /// sanitized and cut to [`super::EXCERPT_MAX`] characters.
    pub fn peer_text(&self, extract: impl FnOnce(&[u8]) -> Option<String>) -> SanitizedMessage {
        match extract(&self.body).filter(|text| !text.trim().is_empty()) {
            Some(text) => {
                excerpt_of(&text.replace(['\r', '\n'], " "), |t| self.credentials.scrub(t))
            }
            None => self.excerpt(),
        }
    }

    /// The first non-empty line of the body, scrubbed of the call's credentials,
    /// sanitized and cut to [`super::EXCERPT_MAX`] characters (empty for an empty body).
    pub fn excerpt(&self) -> SanitizedMessage {
        let text = String::from_utf8_lossy(&self.body);
        excerpt_of(&text, |line| self.credentials.scrub(line))
    }

    /// The error this answer's status maps to, with [`PeerAnswer::excerpt`] as detail.
    pub fn error(&self) -> PeerError {
        self.error_with(self.excerpt())
    }

    /// The error this answer's status maps to, with `detail` (from
    /// [`PeerAnswer::peer_text`]): 401 and 403 [`PeerError::Unauthorized`], 404
    /// [`PeerError::NotFound`], 408 and 429 [`PeerError::Failed`] ("not now"), any other
    /// 4xx [`PeerError::Refused`], 5xx [`PeerError::Failed`], anything else
    /// [`PeerError::UnexpectedStatus`].
    pub fn error_with(&self, detail: SanitizedMessage) -> PeerError {
        let destination = self.destination.clone();
        let status = self.status;
        match status {
            401 | 403 => PeerError::Unauthorized { destination, status, detail },
            404 => PeerError::NotFound { destination, detail },
            408 | 429 | 500..=599 => PeerError::Failed { destination, status, detail },
            400..=499 => PeerError::Refused { destination, status, detail },
            _ => PeerError::UnexpectedStatus { destination, status },
        }
    }

    /// `Ok(self)` for a 2xx answer, else [`PeerAnswer::error`].
    ///
    /// # Errors
    /// The mapped error of a non-2xx answer.
    pub fn success(self) -> Result<Self, PeerError> {
        if self.is_success() { Ok(self) } else { Err(self.error()) }
    }

    /// The credentials the call sent (to scrub text the plugin derives otherwise).
    pub fn credentials(&self) -> &SentCredentials {
        &self.credentials
    }
}

#[cfg(test)]
mod tests {
    use super::PeerAnswer;
    use crate::http::SentCredentials;

    fn answer(status: u16, body: &str, credential: &str) -> PeerAnswer {
        let mut credentials = SentCredentials::new();
        credentials.add(credential);
        PeerAnswer {
            status,
            body: body.as_bytes().to_vec(),
            destination: "peer:1".to_owned(),
            credentials,
            attempts: 1,
        }
    }

    #[test]
    fn a_credential_past_the_excerpt_length_is_scrubbed_before_the_cut() {
        let credential = "plain-looking-value-0123456789";
        let body = format!("{}{credential} was refused", "x".repeat(190));
        let text = answer(400, &body, credential).excerpt();
        assert!(!text.as_str().contains("plain-lo"), "{text}");
    }

    #[test]
    fn statuses_map_to_errors() {
        let kinds: Vec<String> = [400, 401, 403, 404, 408, 422, 429, 500, 503, 204, 101]
            .into_iter()
            .map(|s| format!("{:?}", answer(s, "", "c").error()))
            .map(|d| d.split_whitespace().next().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(
            kinds,
            [
                "Refused",
                "Unauthorized",
                "Unauthorized",
                "NotFound",
                "Failed",
                "Refused",
                "Failed",
                "Failed",
                "Failed",
                "UnexpectedStatus",
                "UnexpectedStatus",
            ]
        );
    }
}
