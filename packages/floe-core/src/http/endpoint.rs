//! Endpoint URLs from config: the transport rule for credentials (`https`, plain `http`
//! to loopback, or plain `http` with an explicit opt-in), and the one form of a URL that
//! may reach a span or an error (`host[:port]`).

use reqwest::{Response, StatusCode, Url};

/// The part of a URL that is safe to record: `host[:port]`, never user info, path or
/// query (webhook URLs carry their secret in the path).
///
/// # Examples
/// ```
/// use floe_core::http::safe_destination;
/// assert_eq!(safe_destination("https://bot:pw@hooks.slack.com/services/T/B/X"), "hooks.slack.com");
/// assert_eq!(safe_destination("http://127.0.0.1:9093/api/v2/alerts"), "127.0.0.1:9093");
/// assert_eq!(safe_destination("not a url"), "<invalid url>");
/// ```
pub fn safe_destination(url: &str) -> String {
    match Url::parse(url) {
        Ok(url) => destination_of(&url),
        Err(_) => "<invalid url>".to_owned(),
    }
}

/// [`safe_destination`] of a parsed URL.
pub(crate) fn destination_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => "<no host>".to_owned(),
    }
}

/// Whether `url` points at this machine (127.0.0.0/8, `::1` or `localhost`).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(domain)) => domain == "localhost",
        None => false,
    }
}

/// A configured endpoint URL that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointError {
    /// The text is not a URL (the message never repeats it: it may hold a credential).
    #[error("the url is not valid: {0}")]
    Invalid(#[source] url::ParseError),
    /// Not `http` or `https`.
    #[error("the url of {destination} has scheme {scheme:?}; expected https")]
    UnsupportedScheme {
        /// The safe form of the URL.
        destination: String,
        /// The scheme found.
        scheme: String,
    },
    /// Plain HTTP to a host that is not this machine, without the explicit opt-in.
    #[error(
        "the url of {destination} uses plain http: use https, or set allow_insecure_http for a trusted network"
    )]
    Insecure {
        /// The safe form of the URL.
        destination: String,
    },
    /// The URL carries user info; credentials go in their own settings, never in a URL
    /// that ends up in logs and errors.
    #[error("the url of {destination} carries user info; put credentials in their own setting")]
    UserInfo {
        /// The safe form of the URL.
        destination: String,
    },
    /// The URL has a query or a fragment, which a base URL cannot keep when paths are
    /// appended (and which may hold a credential).
    #[error("the url of {destination} has a query or fragment; give the base url only")]
    Query {
        /// The safe form of the URL.
        destination: String,
    },
    /// An endpoint announced by the peer (a discovery document, a redirect) that is not
    /// on the configured endpoint's origin, so credentials would leave for another host.
    #[error("the url of {destination} is not on the origin of {expected}")]
    OtherOrigin {
        /// The safe form of the URL.
        destination: String,
        /// The configured endpoint's safe form.
        expected: String,
    },
}

/// Parses an endpoint URL from config and checks its transport: `https`, or plain `http`
/// to a loopback address, or plain `http` anywhere when `allow_insecure_http` is set.
///
/// # Errors
/// When the URL is not valid, not HTTP(S), or plain HTTP that is not allowed.
///
/// # Examples
/// ```
/// use floe_core::http::{EndpointError, parse_endpoint};
/// assert!(parse_endpoint("https://marquez.example.com", false).is_ok());
/// assert!(parse_endpoint("http://127.0.0.1:5000", false).is_ok());
/// assert!(matches!(
///     parse_endpoint("http://marquez.example.com", false),
///     Err(EndpointError::Insecure { .. })
/// ));
/// assert!(parse_endpoint("http://marquez.example.com", true).is_ok());
/// ```
pub fn parse_endpoint(url: &str, allow_insecure_http: bool) -> Result<Url, EndpointError> {
    let parsed = Url::parse(url).map_err(EndpointError::Invalid)?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if allow_insecure_http || is_loopback(&parsed) => Ok(parsed),
        "http" => Err(EndpointError::Insecure { destination: safe_destination(url) }),
        other => Err(EndpointError::UnsupportedScheme {
            destination: safe_destination(url),
            scheme: other.to_owned(),
        }),
    }
}

/// [`parse_endpoint`] for the base URL of a peer that receives credentials: also refuses
/// user info, a query and a fragment, so the URL itself carries no secret.
///
/// # Errors
/// As [`parse_endpoint`], plus [`EndpointError::UserInfo`] and [`EndpointError::Query`].
///
/// # Examples
/// ```
/// use floe_core::http::{EndpointError, parse_base_endpoint};
/// assert!(parse_base_endpoint("https://kubernetes.default.svc", false).is_ok());
/// assert!(matches!(
///     parse_base_endpoint("https://admin:pw@10.0.0.1:6443", false),
///     Err(EndpointError::UserInfo { .. })
/// ));
/// assert!(matches!(
///     parse_base_endpoint("https://h/api?token=x", false),
///     Err(EndpointError::Query { .. })
/// ));
/// ```
pub fn parse_base_endpoint(url: &str, allow_insecure_http: bool) -> Result<Url, EndpointError> {
    let parsed = parse_endpoint(url, allow_insecure_http)?;
    let destination = || destination_of(&parsed);
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(EndpointError::Invalid(url::ParseError::EmptyHost));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(EndpointError::UserInfo { destination: destination() });
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(EndpointError::Query { destination: destination() });
    }
    Ok(parsed)
}

/// Basic-auth credentials that came in a URL's user info ([`split_user_info`]).
#[derive(Clone, Debug)]
pub struct UrlCredentials {
    /// The user name, percent-decoded.
    pub user: String,
    /// The password, percent-decoded (empty when the URL has none).
    pub password: crate::secret::Secret<String>,
}

/// `url` without its user info, and that user info as basic-auth credentials (user and
/// password percent-decoded), for a setting documented to "carry user info": the peer
/// base then passes [`parse_base_endpoint`], and the credentials go in an
/// `Authorization: Basic` header that [`crate::http::PeerRequest::basic`] records, so a
/// peer's echo of them is scrubbed. A URL without user info comes back unchanged.
///
/// # Errors
/// [`EndpointError::Invalid`] when `url` is not a URL (the message never repeats it).
///
/// # Examples
/// ```
/// use floe_core::http::split_user_info;
///
/// let (base, credentials) = split_user_info("https://ops:p%40ss@dagster.example.com/").unwrap();
/// assert_eq!(base, "https://dagster.example.com/");
/// let credentials = credentials.unwrap();
/// assert_eq!((credentials.user.as_str(), credentials.password.expose().as_str()), ("ops", "p@ss"));
/// assert!(split_user_info("https://dagster.example.com").unwrap().1.is_none());
/// ```
pub fn split_user_info(url: &str) -> Result<(String, Option<UrlCredentials>), EndpointError> {
    let mut parsed = Url::parse(url).map_err(EndpointError::Invalid)?;
    if parsed.username().is_empty() && parsed.password().is_none() {
        return Ok((url.to_owned(), None));
    }
    let credentials = UrlCredentials {
        user: percent_decoded(parsed.username()),
        password: crate::secret::Secret::new(percent_decoded(
            parsed.password().unwrap_or_default(),
        )),
    };
    // Only URLs that cannot have user info refuse these (`mailto:`); the scheme check
    // that follows refuses those anyway.
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    Ok((parsed.to_string(), Some(credentials)))
}

/// `text` with each `%XX` replaced by its byte (invalid UTF-8 replaced): how a peer may
/// quote a credential that was sent percent-encoded (a URL's user info).
pub fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The longest excerpt of an error answer [`answer_excerpt`] keeps.
pub const EXCERPT_MAX: usize = 200;

/// The most of a body [`answer_excerpt`] reads while looking for its first line.
const EXCERPT_READ_MAX: usize = 64 << 10;

/// The first non-empty line of an error answer's body, sanitized and cut to
/// [`EXCERPT_MAX`] characters: enough to say why a peer refused a request without
/// copying a large or sensitive body into an error.
///
/// The body is read only until that line ends (at most 64 KiB), and the whole line is
/// sanitized before it is cut, so a credential is never split where the sanitizer could
/// miss it.
///
/// Calls that carry credentials go through [`crate::http::Peer`] instead, whose
/// [`crate::http::PeerAnswer::excerpt`] also removes every credential the call sent.
pub async fn answer_excerpt(mut response: Response) -> String {
    if response.status() == StatusCode::NO_CONTENT {
        return String::new();
    }
    let mut body = Vec::new();
    while body.len() < EXCERPT_READ_MAX {
        let Ok(Some(chunk)) = response.chunk().await else { break };
        body.extend_from_slice(&chunk);
        let text = String::from_utf8_lossy(&body);
        let mut lines = text.split_inclusive('\n').skip_while(|l| l.trim().is_empty());
        if lines.next().is_some_and(|line| line.ends_with('\n')) {
            break;
        }
    }
    excerpt_of(&String::from_utf8_lossy(&body), str::to_owned).into_string()
}

/// The first non-empty line of `text`, passed through `clean` (the scrub of a call's
/// credentials) before it is sanitized and cut to [`EXCERPT_MAX`] characters: the line
/// is never cut before `clean` sees it, so a credential cannot be split by the cut.
pub(crate) fn excerpt_of(
    text: &str,
    clean: impl FnOnce(&str) -> String,
) -> crate::telemetry::SanitizedMessage {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    crate::telemetry::sanitize_with_max_len(&clean(line), EXCERPT_MAX)
}

#[cfg(test)]
mod tests {
    use super::split_user_info;

    #[test]
    fn user_info_is_taken_out_and_percent_decoded() {
        let (base, credentials) =
            split_user_info("http://o%3Aps:p%25w%3Ad%zz@127.0.0.1:3000/dagster").unwrap();
        assert_eq!(base, "http://127.0.0.1:3000/dagster");
        let credentials = credentials.unwrap();
        assert_eq!(credentials.user, "o:ps");
        // An escape that is not one (`%zz`) is kept as written.
        assert_eq!(credentials.password.expose(), "p%w:d%zz");
    }

    #[test]
    fn a_user_without_password_is_user_info_too() {
        let (base, credentials) = split_user_info("https://token@h.example.com").unwrap();
        assert_eq!(base, "https://h.example.com/");
        let credentials = credentials.unwrap();
        assert_eq!(
            (credentials.user.as_str(), credentials.password.expose().as_str()),
            ("token", "")
        );
    }

    #[test]
    fn text_that_is_not_a_url_is_refused_without_repeating_it() {
        let error = split_user_info("not a url with FLOETEST-secret").unwrap_err();
        assert!(!error.to_string().contains("FLOETEST"), "{error}");
    }
}
