//! A real Alertmanager (Debian `prometheus-alertmanager`, installed by `scripts/setup`) on a
//! free loopback port, with a minimal config and its own storage; alerts are read back
//! through its API. Stopped when dropped (and by `timeout` in any case).
//!
//! Self-contained (only crates the contract suite also has), so the contract row includes
//! it with `#[path]`.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use floe_otel_testkit::peers::{PeerProcess, free_port, system_bin};
use serde_json::Value;

/// The smallest config Alertmanager accepts: every alert goes to a receiver that does
/// nothing.
const CONFIG: &str = "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n";

/// A running Alertmanager.
pub(crate) struct Alertmanager {
    addr: SocketAddr,
    _process: PeerProcess,
}

impl Alertmanager {
    /// Starts Alertmanager with clustering off and waits (at most 15 s) until it answers
    /// `/-/ready`.
    ///
    /// # Panics
    /// When it is not installed or does not start; the message says why.
    pub(crate) fn start() -> Self {
        Self::start_with(false)
    }

    /// Starts Alertmanager; with `settling`, as a cluster member whose gossip has not
    /// settled (a 10 s gossip interval and a 10 min settle timeout keep it `settling`
    /// for the test's whole life), the state in which Alertmanager holds notifications.
    ///
    /// # Panics
    /// When it is not installed or does not start; the message says why.
    pub(crate) fn start_with(settling: bool) -> Self {
        let binary = system_bin("prometheus-alertmanager").unwrap_or_else(|e| panic!("{e}"));
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let cluster = if settling {
            format!(
                "--cluster.listen-address=127.0.0.1:{} --cluster.gossip-interval=10s \
                 --cluster.settle-timeout=10m",
                free_port()
            )
        } else {
            "--cluster.listen-address=".to_owned()
        };
        // The config is written by the shell in the peer's own directory, so it lives and
        // dies with the peer; `exec` keeps the process `timeout` watches.
        let script = format!(
            "printf '{CONFIG}' > alertmanager.yml && exec {} --config.file=alertmanager.yml \
             --storage.path=data --web.listen-address={addr} {cluster} --log.level=warn",
            binary.display()
        );
        let mut process =
            PeerProcess::spawn("alertmanager", Path::new("sh"), &["-c", &script], &[])
                .unwrap_or_else(|e| panic!("{e}"));
        process
            .wait_for_http(addr, "/-/ready", Duration::from_secs(15))
            .unwrap_or_else(|e| panic!("{e}"));
        Self { addr, _process: process }
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The alerts Alertmanager holds (`GET /api/v2/alerts`).
    ///
    /// # Panics
    /// When it does not answer with a JSON list.
    pub(crate) fn alerts(&self) -> Vec<Value> {
        let body = get(self.addr, "/api/v2/alerts");
        match serde_json::from_str(&body) {
            Ok(Value::Array(alerts)) => alerts,
            other => panic!("GET /api/v2/alerts answered {other:?}: {body}"),
        }
    }
}

/// `GET path` over HTTP/1.0 (no chunked encoding), the body of a 200 answer.
fn get(addr: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
        .unwrap_or_else(|e| panic!("connecting to {addr}: {e}"));
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\nAccept: application/json\r\n\r\n")
        .unwrap_or_else(|e| panic!("writing to {addr}: {e}"));
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap_or_else(|e| panic!("reading from {addr}: {e}"));
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer.as_str(), ""));
    assert!(head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"), "{head}");
    body.to_owned()
}
