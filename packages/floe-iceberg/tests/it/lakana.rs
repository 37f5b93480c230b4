//! A real Iceberg REST catalog, `lakana-server` from the test virtualenv, started once per
//! test binary on a free loopback port.
//!
//! Start-up (about 12 s on an idle machine, up to 150 s allowed for a loaded one): migrate a
//! fresh `SQLite` database in the peer's scratch directory, serve with a fixed bootstrap
//! token, wait for `/v1/config`, then create the environment `floe` (the catalog prefix)
//! with file storage in the scratch directory. The server runs
//! under a shell that stops it as soon as this test process is gone, and under `timeout`
//! (through `PeerProcess`), so it never outlives the tests by more than a moment.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::sync::LazyLock;
use std::time::Duration;

use floe_otel_testkit::peers::{PeerProcess, free_port, venv_bin};

/// The secret half of the bootstrap token: planted, so tests can check it never reaches
/// a span.
pub(crate) const SECRET: &str = "FLOETESTlakanaPlanted0123456789abcdefXYZ";
const KEY_ID: &str = "f10e0000cafe0001";
/// The environment the tests use, which is the catalog prefix.
pub(crate) const ENVIRONMENT: &str = "floe";

/// Runs the migration, then the server; stops the server when the test process (`$2`)
/// is gone, and then removes the scratch directory (database, warehouse, log). If the
/// server dies while the tests run, the log stays for the error message to quote.
const SCRIPT: &str = r#"
"$1" migrate || exit 1
"$1" &
child=$!
while kill -0 "$2" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.5; done
kill "$child" 2>/dev/null
wait "$child"
kill -0 "$2" 2>/dev/null || rm -rf "$PWD"
"#;

/// The running catalog.
#[derive(Debug)]
pub(crate) struct Lakana {
    pub(crate) uri: String,
    _process: PeerProcess,
}

impl Lakana {
    /// The full bearer token.
    pub(crate) fn token() -> String {
        format!("lakana_pat_{KEY_ID}_{SECRET}")
    }
}

static LAKANA: LazyLock<Result<Lakana, String>> = LazyLock::new(start);

/// The shared catalog, started on first use.
///
/// # Panics
/// When it cannot be started; the message quotes its log.
pub(crate) fn lakana() -> &'static Lakana {
    match &*LAKANA {
        Ok(lakana) => lakana,
        Err(message) => panic!("the lakana Iceberg REST catalog did not start: {message}"),
    }
}

fn start() -> Result<Lakana, String> {
    let bin = venv_bin("lakana-server").map_err(|e| e.to_string())?;
    let port = free_port();
    let port_text = port.to_string();
    let test_pid = std::process::id().to_string();
    let bin_text = bin.display().to_string();
    let envs = [
        ("LAKANA_DATABASE__URL", "sqlite:///db.sqlite"),
        ("LAKANA_HOST", "127.0.0.1"),
        ("LAKANA_PORT", port_text.as_str()),
        ("LAKANA_BOOTSTRAP_PAT_KEY_ID", KEY_ID),
        ("LAKANA_BOOTSTRAP_PAT_SECRET", SECRET),
        ("LAKANA_LOG__LEVEL", "WARNING"),
    ];
    let mut process = PeerProcess::spawn(
        "lakana",
        std::path::Path::new("/bin/sh"),
        &["-c", SCRIPT, "lakana", &bin_text, &test_pid],
        &envs,
    )
    .map_err(|e| e.to_string())?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    process
        .wait_for_http(addr, "/v1/config", Duration::from_secs(150))
        .map_err(|e| e.to_string())?;
    let root = format!("file://{}/warehouse", process.dir().display());
    let body =
        format!(r#"{{"name":"{ENVIRONMENT}","storage":{{"scheme":"file","root":"{root}"}}}}"#);
    let (status, answer) = post_json(addr, "/api/v1/environments", &body)?;
    if status != 201 {
        return Err(format!("creating the environment answered {status}: {answer}"));
    }
    Ok(Lakana { uri: format!("http://{addr}/"), _process: process })
}

/// A minimal HTTP/1.1 POST, bounded by timeouts: the catalog's own admin API, used once.
fn post_json(addr: SocketAddr, path: &str, body: &str) -> Result<(u16, String), String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
        .map_err(|e| format!("connecting to lakana: {e}"))?;
    let timeout = Some(Duration::from_secs(10));
    stream.set_read_timeout(timeout).map_err(|e| e.to_string())?;
    stream.set_write_timeout(timeout).map_err(|e| e.to_string())?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        Lakana::token(),
        body.len()
    )
    .map_err(|e| format!("writing to lakana: {e}"))?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).map_err(|e| format!("reading from lakana: {e}"))?;
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {answer}"))?;
    Ok((status, answer))
}
