//! A hostile HTTP peer on loopback: it misbehaves the way real peers and the hosts
//! between them do, in the one way each test chooses.
//!
//! - [`Behaviour::Echo`]: every credential it received (the request path, each header, a
//!   basic-auth header decoded, the query raw and decoded, the body raw, form-decoded and
//!   its JSON strings) comes back in the error answer's message fields (`message`, `reason`,
//!   `error`, `error_description`, `detail`, `title`) and in the `x-floe-echo` and
//!   `www-authenticate` headers. [`Behaviour::EchoText`] puts it in a plain-text body,
//!   [`Behaviour::EchoWith`] in a body shaped by the test (a protocol's own error model).
//! - [`Behaviour::Redirect`]: a 3xx whose `Location` is another origin (a second
//!   loopback listener, which records whether anything reached it:
//!   [`HostilePeer::redirect_target_contacted`]).
//! - [`Behaviour::HugeBody`]: a 50 MB body ([`HUGE_BODY_BYTES`]), with or without a
//!   `Content-Length`.
//! - [`Behaviour::Dribble`]: the headers at once, then one byte every
//!   [`DRIBBLE_INTERVAL`]; [`Behaviour::Stall`]: no answer at all. Both go on past any
//!   sane timeout (until the client leaves, or [`HOSTILE_LIFETIME`]).
//! - [`Behaviour::MalformedJson`], [`Behaviour::TruncatedJson`],
//!   [`Behaviour::WrongShapeJson`]: a 200 whose JSON is broken, cut, or of the wrong
//!   shape with the echo in every field a protocol reads (serde quotes such values in its
//!   messages).
//! - [`Behaviour::CloseMidAnswer`]: a 200 that declares 64 KiB, sends the start of a
//!   JSON document with the echo in it, and closes the connection.
//!
//! Every hostile answer carries the echo in its `x-floe-echo` header, whatever the
//! behaviour.
//!
//! # Writing a hostile row
//! A row drives one real operation of a plugin whose endpoint is the hostile peer and
//! whose credential is a planted secret, then asserts that the operation ends with a
//! clear error within its configured timeout plus one second, that its span is `Error`
//! with a sanitized description, and that the planted secret is nowhere: not in a span,
//! a log line, the error text, or the compiled artifacts. The peer must have answered
//! with its behaviour ([`HostilePeer::hostile_answers`]), so a row cannot pass by never
//! reaching it. In this workspace the rows live in `contract-tests/tests/it/hostile/`,
//! whose module documentation shows how a plugin adds its rows.
//!
//! A plugin that must get through a first exchange before the call under test (a login)
//! serves it from its own loopback peer: [`HostilePeer::start_with`] answers the
//! requests [`When`] does not match with that peer's router.
//!
//! ```
//! use floe_otel_testkit::hostile::{Behaviour, HostilePeer};
//!
//! let peer = HostilePeer::start(Behaviour::Echo { status: 401 });
//! floe_telemetry::install_crypto_provider();
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! let (status, echoed) = runtime.block_on(async {
//!     let answer = reqwest::Client::new()
//!         .get(peer.url("/api/items?api_key=FLOETEST-in-the-query"))
//!         .bearer_auth("FLOETEST-bearer-token")
//!         .send()
//!         .await
//!         .unwrap();
//!     let header = answer.headers()["x-floe-echo"].to_str().unwrap().to_owned();
//!     (answer.status().as_u16(), format!("{header} {}", answer.text().await.unwrap()))
//! });
//! assert_eq!(status, 401);
//! assert!(echoed.contains("FLOETEST-bearer-token") && echoed.contains("FLOETEST-in-the-query"));
//! assert_eq!(peer.hostile_answers(), 1);
//! ```

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use serde_json::Value;

use crate::http::{LoopbackServer, RecordedRequest};

mod answer;

pub use answer::echo_of;

/// The size of [`Behaviour::HugeBody`]: 50 MB.
pub const HUGE_BODY_BYTES: usize = 50_000_000;

/// How often [`Behaviour::Dribble`] sends its next byte.
pub const DRIBBLE_INTERVAL: Duration = Duration::from_millis(50);

/// The longest a dribbling or stalled answer goes on when the client never leaves.
pub const HOSTILE_LIFETIME: Duration = Duration::from_secs(30);

/// The header every hostile answer echoes the credentials in.
pub const ECHO_HEADER: &str = "x-floe-echo";

/// How the peer misbehaves. See the [module documentation](self).
#[derive(Clone, Copy)]
pub enum Behaviour {
    /// `status` with a JSON error body echoing every credential received.
    Echo {
        /// The status (401, 400, 500, ...).
        status: u16,
    },
    /// `status` with a plain-text body echoing every credential received.
    EchoText {
        /// The status.
        status: u16,
    },
    /// `status` with the JSON body `body(echo)` (a protocol's own error model).
    EchoWith {
        /// The status.
        status: u16,
        /// Builds the body around the echoed text.
        body: fn(&str) -> Value,
    },
    /// `status` (a 3xx) with `Location` on another origin.
    Redirect {
        /// 301, 302, 303, 307 or 308.
        status: u16,
    },
    /// `status` with a [`HUGE_BODY_BYTES`] body, declared in `Content-Length` or chunked.
    HugeBody {
        /// The status.
        status: u16,
        /// Whether `Content-Length` announces the size.
        declared: bool,
    },
    /// 200 and the headers at once, then one byte every [`DRIBBLE_INTERVAL`].
    Dribble,
    /// No answer at all.
    Stall,
    /// 200 with a body that is not JSON.
    MalformedJson,
    /// 200 with a JSON document cut in the middle.
    TruncatedJson,
    /// 200 with a JSON object whose every field holds the echo as a string.
    WrongShapeJson,
    /// 200 declaring 64 KiB, then the start of a JSON document, then the connection
    /// closes.
    CloseMidAnswer,
}

impl fmt::Debug for Behaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Echo { status } => write!(f, "Echo({status})"),
            Self::EchoText { status } => write!(f, "EchoText({status})"),
            Self::EchoWith { status, .. } => write!(f, "EchoWith({status})"),
            Self::Redirect { status } => write!(f, "Redirect({status})"),
            Self::HugeBody { status, declared } => {
                write!(f, "HugeBody({status}, declared: {declared})")
            }
            Self::Dribble => f.write_str("Dribble"),
            Self::Stall => f.write_str("Stall"),
            Self::MalformedJson => f.write_str("MalformedJson"),
            Self::TruncatedJson => f.write_str("TruncatedJson"),
            Self::WrongShapeJson => f.write_str("WrongShapeJson"),
            Self::CloseMidAnswer => f.write_str("CloseMidAnswer"),
        }
    }
}

/// Which requests get the hostile answer.
#[derive(Clone, Copy, Debug)]
pub enum When {
    /// Every request.
    Always,
    /// Requests whose path starts with this prefix.
    PathStartsWith(&'static str),
}

impl When {
    fn matches(self, path: &str) -> bool {
        match self {
            Self::Always => true,
            Self::PathStartsWith(prefix) => path.starts_with(prefix),
        }
    }
}

struct State {
    behaviour: Behaviour,
    when: When,
    hostile: AtomicUsize,
    elsewhere: String,
    stop: tokio::sync::watch::Receiver<bool>,
}

/// A running hostile peer and the other origin its redirects point to.
pub struct HostilePeer {
    state: Arc<State>,
    stop: tokio::sync::watch::Sender<bool>,
    server: Option<LoopbackServer>,
    elsewhere: Option<LoopbackServer>,
}

impl fmt::Debug for HostilePeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostilePeer")
            .field("behaviour", &self.state.behaviour)
            .field("when", &self.state.when)
            .finish_non_exhaustive()
    }
}

impl HostilePeer {
    /// Answers every request with `behaviour`.
    pub fn start(behaviour: Behaviour) -> Self {
        Self::start_with(behaviour, When::Always, Router::new())
    }

    /// Answers the requests `when` matches with `behaviour`, and the others with
    /// `normal` (a plugin's own loopback peer, so a login can succeed before the call
    /// under test). `normal`'s fallback is replaced by a plain 404.
    pub fn start_with(behaviour: Behaviour, when: When, normal: Router) -> Self {
        // The other origin exists only for redirects (a thread and a runtime less).
        let elsewhere = matches!(behaviour, Behaviour::Redirect { .. }).then(|| {
            LoopbackServer::start(
                Router::new().fallback(|| async { (StatusCode::OK, "the redirect was followed") }),
            )
        });
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let state = Arc::new(State {
            behaviour,
            when,
            hostile: AtomicUsize::new(0),
            elsewhere: elsewhere.as_ref().map(|server| server.url("")).unwrap_or_default(),
            stop: stopped,
        });
        let shared = Arc::clone(&state);
        let router = normal.fallback(|| async { StatusCode::NOT_FOUND }).layer(
            axum::middleware::from_fn(move |request: Request, next: Next| {
                let state = Arc::clone(&shared);
                async move {
                    if state.when.matches(request.uri().path()) {
                        state.hostile.fetch_add(1, Ordering::SeqCst);
                        answer::answer(&state, request).await
                    } else {
                        next.run(request).await
                    }
                }
            }),
        );
        Self { state, stop, server: Some(LoopbackServer::start(router)), elsewhere }
    }

    fn server(&self) -> &LoopbackServer {
        self.server.as_ref().expect("the server runs until the peer is dropped")
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        self.server().url(path)
    }

    /// Every request the peer received (hostile or not).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server().requests()
    }

    /// How many requests got the hostile answer.
    pub fn hostile_answers(&self) -> usize {
        self.state.hostile.load(Ordering::SeqCst)
    }

    /// The other origin redirects point to (empty unless the behaviour redirects).
    pub fn elsewhere_url(&self) -> &str {
        &self.state.elsewhere
    }

    /// The requests that reached the other origin (a client that followed a redirect).
    pub fn elsewhere_requests(&self) -> Vec<RecordedRequest> {
        self.elsewhere.as_ref().map(LoopbackServer::requests).unwrap_or_default()
    }

    /// Whether any request reached the other origin.
    pub fn redirect_target_contacted(&self) -> bool {
        !self.elsewhere_requests().is_empty()
    }
}

impl Drop for HostilePeer {
    fn drop(&mut self) {
        // End dribbling and stalled answers first. The servers wait (a bounded time) for
        // their connections to close, which may need the test's own runtime to run (the
        // client side of a huge body it stopped reading): wait on another thread.
        let _ = self.stop.send(true);
        let servers = (self.server.take(), self.elsewhere.take());
        let _ = std::thread::Builder::new()
            .name("hostile-peer-stop".to_owned())
            .spawn(move || drop(servers));
    }
}

#[cfg(test)]
mod tests {
    use super::{When, echo_of};
    use crate::http::RecordedRequest;

    #[test]
    fn when_matches_paths_by_prefix() {
        assert!(When::Always.matches("/x"));
        assert!(When::PathStartsWith("/api/v3").matches("/api/v3/secrets/raw"));
        assert!(!When::PathStartsWith("/api/v3").matches("/api/v1/auth"));
    }

    #[test]
    fn the_echo_decodes_basic_auth_queries_forms_and_json_strings() {
        let request = RecordedRequest {
            method: "POST".to_owned(),
            path: "/token".to_owned(),
            query: Some("key=a%2Fb".to_owned()),
            headers: vec![("authorization".to_owned(), "Basic b3BzOnBhIHNz".to_owned())],
            body: axum::body::Bytes::from_static(b"client_secret=c%2Bd&x=1"),
        };
        let echo = echo_of(&request);
        for expected in ["POST /token", "basic ops:pa ss", "key=a/b", "client_secret=c+d"] {
            assert!(echo.contains(expected), "{expected} missing from {echo}");
        }
        let json = RecordedRequest {
            body: axum::body::Bytes::from_static(br#"{"s":"x\"y"}"#),
            query: None,
            ..request
        };
        assert!(echo_of(&json).contains(r#"x"y"#), "{}", echo_of(&json));
    }
}
