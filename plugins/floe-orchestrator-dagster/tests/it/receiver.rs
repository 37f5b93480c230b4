//! An OTLP/HTTP receiver (`oteltap`, pinned in the test virtualenv) that prints each span
//! the generated code exports as one JSON line.
#![expect(clippy::unwrap_used, reason = "test peer: a broken fixture should fail loudly")]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use floe_otel_testkit::peers::{PeerProcess, free_port, venv_bin};
use serde_json::Value;

/// An OTLP/HTTP receiver printing each span as one JSON line.
pub(crate) struct Receiver {
    process: PeerProcess,
    port: u16,
}

impl Receiver {
    /// Starts `oteltap` on a free port.
    pub(crate) fn start() -> Self {
        let port = free_port();
        let bin = venv_bin("oteltap").unwrap_or_else(|e| panic!("{e}"));
        let mut process = PeerProcess::spawn(
            "oteltap",
            &bin,
            &["--port", &port.to_string()],
            &[("PYTHONUNBUFFERED", "1")],
        )
        .unwrap();
        process
            .wait_for_tcp(SocketAddr::from(([127, 0, 0, 1], port)), Duration::from_secs(20))
            .unwrap_or_else(|e| panic!("{e}"));
        Self { process, port }
    }

    /// The endpoint for `OTEL_EXPORTER_OTLP_ENDPOINT`.
    pub(crate) fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The spans received so far.
    pub(crate) fn spans(&self) -> Vec<Value> {
        let log = std::fs::read_to_string(self.process.dir().join("peer.log")).unwrap_or_default();
        log.lines()
            .filter(|l| l.starts_with('{'))
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits (at most 10 s) until `count` spans have arrived, and returns them.
    pub(crate) fn wait_for_spans(&mut self, count: usize) -> Vec<Value> {
        let log = self.process.dir().join("peer.log");
        let arrived = |path: &PathBuf| {
            std::fs::read_to_string(path)
                .unwrap_or_default()
                .lines()
                .filter(|l| l.starts_with('{'))
                .count()
        };
        self.process
            .wait_until(Duration::from_secs(10), || arrived(&log) >= count)
            .unwrap_or_else(|e| panic!("{e}"));
        self.spans()
    }
}
