//! A real Iceberg REST catalog: `lakana-server` from the test virtualenv (pinned by
//! `scripts/setup`), started once per test process on a free loopback port below the
//! kernel's ephemeral range (so no loopback peer of the same process, which binds port 0,
//! can take it while lakana starts), on another port if a start fails.
//!
//! Start-up: a fresh `SQLite` database in the peer's scratch directory (migrated by
//! `lakana-server migrate`, or copied from a migrated template kept in the cache
//! directory per lakana version, which saves the migration's seconds on every later
//! start), then the server with a fixed bootstrap token, a wait for `/v1/config`, then
//! the environment [`ENVIRONMENT`] (the catalog prefix) with file storage in the scratch
//! directory. The server runs under a shell that stops it as soon as the test process is
//! gone, and under `timeout` (through [`PeerProcess`]), so it never outlives the tests by
//! more than a moment.
//!
//! What lakana is opinionated about: tables only under the top-level namespaces
//! `bronze`, `silver` and `gold`; a bearer token on every call but `/v1/config`
//! (`lakana_pat_<key id>_<secret>`); no `prefix` in its `/v1/config` answer; no vended
//! storage credentials (`config` is `{}` and `storage-credentials` is `[]`). Tokens are
//! issued and revoked through its platform API ([`Lakana::issue_token`],
//! [`Lakana::revoke_token`]).

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::Duration;

use crate::peers::{PeerError, PeerProcess, cache_dir, free_port, venv, venv_bin};

/// The environment the tests use, which is the catalog prefix (and the warehouse).
pub const ENVIRONMENT: &str = "floe";

/// The bootstrap administrator, whose tokens [`Lakana::issue_token`] issues.
pub const ADMIN: &str = "admin";

/// The secret half of the bootstrap token: planted, so tests can check it never reaches
/// a span.
pub const BOOTSTRAP_SECRET: &str = "FLOETESTlakanaPlanted0123456789abcdefXYZ";

const BOOTSTRAP_KEY_ID: &str = "f10e0000cafe0001";

/// How long the first start may take: the migration alone took minutes on a loaded
/// two-core machine.
const START_WITHIN: Duration = Duration::from_mins(5);

/// Copies the migrated template (`$3`) or runs the migration (and keeps its result as the
/// template, atomically), then the server; stops the server when the test process (`$2`)
/// is gone, and then removes the scratch directory (database, warehouse, log). If the
/// server dies while the tests run, the log stays for the error message to quote.
const SCRIPT: &str = r#"
if [ -n "$3" ] && [ -f "$3" ]; then
  cp "$3" db.sqlite || exit 1
else
  "$1" migrate || exit 1
  if [ -n "$3" ]; then
    mkdir -p "$(dirname "$3")" && cp db.sqlite "$3.$$" && mv -f "$3.$$" "$3"
  fi
fi
"$1" &
child=$!
while kill -0 "$2" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.5; done
kill "$child" 2>/dev/null
wait "$child"
kill -0 "$2" 2>/dev/null || rm -rf "$PWD"
"#;

/// A token lakana issued.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    /// Its public key id (what [`Lakana::revoke_token`] takes).
    pub key_id: String,
    /// The whole bearer token, `lakana_pat_<key id>_<secret>`.
    pub token: String,
}

/// The running catalog.
#[derive(Debug)]
pub struct Lakana {
    addr: SocketAddr,
    uri: String,
    _process: PeerProcess,
}

static LAKANA: LazyLock<Result<Lakana, String>> =
    LazyLock::new(|| start().map_err(|e| e.to_string()));

/// The catalog of this test process, started on first use.
///
/// # Panics
/// When it cannot be started; the message quotes its log.
pub fn lakana() -> &'static Lakana {
    match &*LAKANA {
        Ok(lakana) => lakana,
        Err(message) => panic!("the lakana Iceberg REST catalog did not start: {message}"),
    }
}

impl Lakana {
    /// The catalog's base URI, `http://127.0.0.1:<port>/`.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The catalog's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bootstrap administrator's bearer token.
    pub fn bootstrap_token() -> String {
        format!("lakana_pat_{BOOTSTRAP_KEY_ID}_{BOOTSTRAP_SECRET}")
    }

    /// Issues a new token of [`ADMIN`], labelled `label`.
    ///
    /// # Errors
    /// When lakana does not issue it.
    pub fn issue_token(&self, label: &str) -> Result<IssuedToken, PeerError> {
        let body = serde_json::json!({ "name": label }).to_string();
        let path = format!("/api/v1/principals/{ADMIN}/tokens");
        let answer = self.admin("POST", &path, Some(&body), 201)?;
        let issued: serde_json::Value = serde_json::from_str(&answer)
            .map_err(|e| PeerError::new(format!("lakana issued no token ({e}): {answer}")))?;
        match (issued["key_id"].as_str(), issued["token"].as_str()) {
            (Some(key_id), Some(token)) => {
                Ok(IssuedToken { key_id: key_id.to_owned(), token: token.to_owned() })
            }
            _ => Err(PeerError::new(format!("lakana issued no token: {answer}"))),
        }
    }

    /// Revokes the token `key_id`: lakana refuses it from now on.
    ///
    /// # Errors
    /// When lakana does not revoke it.
    pub fn revoke_token(&self, key_id: &str) -> Result<(), PeerError> {
        let path = format!("/api/v1/principals/{ADMIN}/tokens/{key_id}");
        self.admin("DELETE", &path, None, 204).map(drop)
    }

    /// One call of lakana's platform API with the bootstrap token, expecting `status`.
    fn admin(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        status: u16,
    ) -> Result<String, PeerError> {
        let (got, answer) = request(self.addr, method, path, body)?;
        if got == status {
            Ok(answer)
        } else {
            Err(PeerError::new(format!("lakana answered {method} {path} with {got}: {answer}")))
        }
    }
}

/// The version of the installed lakana, from its distribution's metadata directory.
fn installed_version() -> Option<String> {
    let lib = venv().ok()?.join("lib");
    let python = std::fs::read_dir(lib)
        .ok()?
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("python") && e.path().is_dir())?;
    let packages = python.path().join("site-packages");
    std::fs::read_dir(packages).ok()?.flatten().find_map(|entry| {
        let name = entry.file_name().to_string_lossy().into_owned();
        name.strip_prefix("lakana_server-")?.strip_suffix(".dist-info").map(str::to_owned)
    })
}

/// How many ports a start tries before it gives up.
const ATTEMPTS: usize = 3;

/// Starts lakana, on another port if the first start fails: the port was free when it
/// was picked, but another process (another test binary's lakana) can take it during the
/// seconds lakana needs to bind it, and then something else answers there.
fn start() -> Result<Lakana, PeerError> {
    let mut failures = Vec::new();
    for _ in 0..ATTEMPTS {
        match start_on(free_port()) {
            Ok(lakana) => return Ok(lakana),
            Err(error) => failures.push(error.to_string()),
        }
    }
    Err(PeerError::new(format!("{ATTEMPTS} starts failed:\n{}", failures.join("\n"))))
}

fn start_on(port: u16) -> Result<Lakana, PeerError> {
    let bin = venv_bin("lakana-server")?;
    let template = installed_version()
        .map(|version| cache_dir().join(format!("lakana-{version}-migrated.sqlite")))
        .map(|path| path.display().to_string())
        .unwrap_or_default();
    let port_text = port.to_string();
    let test_pid = std::process::id().to_string();
    let bin_text = bin.display().to_string();
    let envs = [
        ("LAKANA_DATABASE__URL", "sqlite:///db.sqlite"),
        ("LAKANA_HOST", "127.0.0.1"),
        ("LAKANA_PORT", port_text.as_str()),
        ("LAKANA_BOOTSTRAP_PAT_KEY_ID", BOOTSTRAP_KEY_ID),
        ("LAKANA_BOOTSTRAP_PAT_SECRET", BOOTSTRAP_SECRET),
        ("LAKANA_LOG__LEVEL", "WARNING"),
    ];
    let mut process = PeerProcess::spawn(
        "lakana",
        std::path::Path::new("/bin/sh"),
        &["-c", SCRIPT, "lakana", &bin_text, &test_pid, &template],
        &envs,
    )?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    process.wait_for_http(addr, "/v1/config", START_WITHIN)?;
    let root = format!("file://{}", PathBuf::from(process.dir()).join("warehouse").display());
    let body = serde_json::json!({
        "name": ENVIRONMENT,
        "storage": { "scheme": "file", "root": root },
    })
    .to_string();
    let (status, answer) = request(addr, "POST", "/api/v1/environments", Some(&body))?;
    if status != 201 {
        return Err(PeerError::new(format!(
            "creating the environment answered {status}: {answer}"
        )));
    }
    Ok(Lakana { addr, uri: format!("http://{addr}/"), _process: process })
}

/// A minimal HTTP/1.1 request with the bootstrap token, bounded by timeouts: the
/// catalog's own platform API, used for set-up only. Returns the status and the body.
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Result<(u16, String), PeerError> {
    let failed = |what: &str, e: std::io::Error| PeerError::new(format!("{what} lakana: {e}"));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
        .map_err(|e| failed("connecting to", e))?;
    let timeout = Some(Duration::from_secs(30));
    stream.set_read_timeout(timeout).map_err(|e| failed("setting a timeout on", e))?;
    stream.set_write_timeout(timeout).map_err(|e| failed("setting a timeout on", e))?;
    let body = body.unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        Lakana::bootstrap_token(),
        body.len()
    )
    .map_err(|e| failed("writing to", e))?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).map_err(|e| failed("reading from", e))?;
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| PeerError::new(format!("not an HTTP answer: {answer}")))?;
    let body = answer.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    Ok((status, body))
}
