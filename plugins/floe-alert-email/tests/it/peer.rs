//! A real SMTP server on loopback: aiosmtpd (from the test virtualenv `scripts/setup`
//! installs) running `tests/smtp/server.py`, which saves every accepted message, parsed by
//! Python's MIME parser, as JSON the test reads back. Stopped when dropped.
//!
//! Self-contained (only crates the contract suite also has), so the contract row includes
//! it with `#[path]`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use floe_otel_testkit::peers::{PeerProcess, free_port, venv_bin};
use serde_json::Value;

const SERVER: &str = include_str!("../smtp/server.py");

/// How the test server is set up.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SmtpOptions<'a> {
    /// Requires AUTH with this user and password.
    pub(crate) auth: Option<(&'a str, &'a str)>,
    /// Requires STARTTLS with a freshly generated self-signed certificate.
    pub(crate) starttls: bool,
    /// Answers EHLO with a transient 421: up, but deferring work.
    pub(crate) busy: bool,
    /// Quotes the login and password of a failed AUTH in its 535 reply.
    pub(crate) echo_auth: bool,
    /// Relays through this smarthost URL, which refuses its login: every message is
    /// rejected at DATA with a 554 quoting the URL, user info included.
    pub(crate) relay_url: Option<&'a str>,
}

/// A running SMTP server.
pub(crate) struct SmtpServer {
    addr: SocketAddr,
    process: PeerProcess,
}

impl SmtpServer {
    /// Starts the server and waits (at most 15 s) until it accepts connections.
    ///
    /// # Panics
    /// When the virtualenv is missing or the server does not start; the message says why.
    pub(crate) fn start(options: SmtpOptions<'_>) -> Self {
        let python = venv_bin("python").unwrap_or_else(|e| panic!("{e}"));
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let port = addr.port().to_string();
        let mut args = vec!["-c", SERVER, &port, "inbox"];
        if options.starttls {
            args.extend(["--starttls", "tls"]);
        }
        let mut env: Vec<(&str, &str)> = options
            .auth
            .map(|(user, password)| vec![("SMTP_USER", user), ("SMTP_PASSWORD", password)])
            .unwrap_or_default();
        if options.busy {
            env.push(("SMTP_BUSY", "1"));
        }
        if options.echo_auth {
            env.push(("SMTP_ECHO_AUTH", "1"));
        }
        if let Some(url) = options.relay_url {
            env.push(("SMTP_RELAY_URL", url));
        }
        let mut process =
            PeerProcess::spawn("smtp", &python, &args, &env).unwrap_or_else(|e| panic!("{e}"));
        process.wait_for_tcp(addr, Duration::from_secs(15)).unwrap_or_else(|e| panic!("{e}"));
        Self { addr, process }
    }

    /// The server's address.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The self-signed certificate (with `starttls`).
    pub(crate) fn certificate(&self) -> PathBuf {
        self.process.dir().join("tls").join("cert.pem")
    }

    /// The messages accepted so far, in order.
    pub(crate) fn received(&self) -> Vec<Value> {
        let inbox = self.process.dir().join("inbox");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&inbox)
            .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|f| f.extension().is_some_and(|e| e == "json"));
        files.sort();
        files.iter().map(|f| read_json(f)).collect()
    }
}

fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}
