//! Real test peers: the Python virtualenvs and Node modules `scripts/setup` installs, free
//! loopback ports, child processes that are waited for with a bound and stopped when
//! dropped, and judges asked once for a JSON verdict (`ask_json`).
//!
//! Every wait here is bounded, and every peer process is started under `timeout`, so a
//! peer stops by itself even if the test process is killed before it can stop it.

use std::fmt;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub mod dbt;
mod judge;
mod parse_state;

pub use judge::ask_json;

/// The longest a peer process lives, whatever happens to the test.
pub const PEER_LIFETIME: Duration = Duration::from_mins(10);

/// A peer could not be found or started.
#[derive(Debug)]
pub struct PeerError(String);

impl fmt::Display for PeerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PeerError {}

impl PeerError {
    /// An error saying `message`.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// The cache directory `scripts/setup` installs into.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("FLOE_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
    home.join(".cache").join("floe-otel")
}

/// The Python virtualenv with the pinned test peers.
///
/// # Errors
/// When it is not installed; the message says to run `scripts/setup`.
pub fn venv() -> Result<PathBuf, PeerError> {
    let dir = std::env::var_os("FLOE_VENV").map_or_else(|| cache_dir().join("venv"), PathBuf::from);
    if dir.join("bin").join("python").exists() {
        Ok(dir)
    } else {
        Err(PeerError(format!(
            "the Python test peers are not installed at {}: run scripts/setup",
            dir.display()
        )))
    }
}

/// An executable of the virtualenv (`dbt`, `dagster`, `aiosmtpd`, ...).
///
/// # Errors
/// When the virtualenv or the executable is missing.
pub fn venv_bin(name: &str) -> Result<PathBuf, PeerError> {
    let path = venv()?.join("bin").join(name);
    if path.exists() {
        Ok(path)
    } else {
        Err(PeerError(format!(
            "{} is missing from the test virtualenv: run scripts/setup",
            path.display()
        )))
    }
}

/// An executable of the judges' virtualenv (`kubernetes-validate`, or `python` to import
/// `great_expectations`), kept apart from the peers' set so their dependencies never move it.
///
/// # Errors
/// When it is not installed; the message says to run `scripts/setup validators`.
pub fn validators_bin(name: &str) -> Result<PathBuf, PeerError> {
    let path = cache_dir().join("venv-validators").join("bin").join(name);
    if path.exists() {
        Ok(path)
    } else {
        Err(PeerError(format!("{} is missing: run scripts/setup validators", path.display())))
    }
}

/// The directory holding the Node test peers' `node_modules` (oidc-provider, Cube's schema
/// compiler): run a script there, or put it on `NODE_PATH`.
///
/// # Errors
/// When they are not installed; the message says to run `scripts/setup node`.
pub fn node_modules() -> Result<PathBuf, PeerError> {
    let dir = cache_dir().join("node").join("node_modules");
    if dir.join(".package-lock.json").exists() {
        Ok(dir)
    } else {
        Err(PeerError(format!(
            "the Node test peers are not installed at {}: run scripts/setup node",
            dir.display()
        )))
    }
}

/// A system executable (`prometheus-alertmanager`), searched on `PATH`.
///
/// # Errors
/// When it is not installed; the message says to run `scripts/setup`.
pub fn system_bin(name: &str) -> Result<PathBuf, PeerError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| PeerError(format!("{name} is not installed: run scripts/setup")))
}

/// A loopback port that was free a moment ago, for a peer process that binds it itself.
///
/// The port is drawn from below the kernel's ephemeral range (`ip_local_port_range`,
/// 32768-60999 by default), where no `bind(.., 0)` lands: between this call and the
/// peer's own bind, a server of another test binary running at the same time (the test
/// runner runs several) cannot be handed the same port. Two callers drawing the same
/// port of the 12 000 at the same moment remain possible, not likely. Falls back to a
/// kernel-chosen port when the range is unusual.
///
/// # Panics
/// When the loopback interface cannot be bound at all.
pub fn free_port() -> u16 {
    let closed = CLOSED_PORT.get().copied();
    below_ephemeral(|port| Some(port) != closed).unwrap_or_else(kernel_chosen_port)
}

/// A port the kernel picks (`bind(.., 0)`): the fallback when the ephemeral range leaves
/// no room below it.
fn kernel_chosen_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("binding 127.0.0.1:0 to find a free port")
}

/// A port below the ephemeral range that `accept` takes and that can be bound now, drawn
/// at random; `None` when the range is unusual or 64 draws found none.
fn below_ephemeral(accept: impl Fn(u16) -> bool) -> Option<u16> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static DRAWS: AtomicU64 = AtomicU64::new(0);
    let ephemeral_start = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    let low = 20_000_u16;
    if ephemeral_start <= low + 1000 {
        return None;
    }
    let span = u64::from(ephemeral_start - low);
    let seed = u64::from(std::process::id()).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::from(d.subsec_nanos()));
    (0..64).find_map(|_| {
        let draw = DRAWS.fetch_add(1, Ordering::Relaxed);
        let mixed =
            (seed ^ draw.wrapping_mul(0xBF58_476D_1CE4_E5B9)).wrapping_mul(0x94D0_49BB_1331_11EB);
        let port = low + u16::try_from((mixed >> 32) % span).unwrap_or(0);
        (accept(port) && TcpListener::bind(("127.0.0.1", port)).is_ok()).then_some(port)
    })
}

/// The port [`closed_port`] hands out, once drawn.
static CLOSED_PORT: std::sync::OnceLock<u16> = std::sync::OnceLock::new();

/// A loopback address where nothing listens (for "unreachable peer" tests): one port per
/// process, below the ephemeral range like [`free_port`]'s, which never hands it out.
///
/// A port from `bind(.., 0)` was used before, and it is ephemeral: the next `bind(.., 0)`
/// of a test running at the same time may be handed it and listen there, and a connection
/// to it may be given it as its own source port and connect to itself. One of the two
/// made `wait_for_tcp` succeed against the "closed" port in a CI run. Below the ephemeral
/// range neither can happen; a peer that another test binary starts on a drawn port is
/// the one unlikely way left for something to listen there.
///
/// # Panics
/// When the loopback interface cannot be bound at all.
pub fn closed_port() -> SocketAddr {
    let port =
        *CLOSED_PORT.get_or_init(|| below_ephemeral(|_| true).unwrap_or_else(kernel_chosen_port));
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// A running peer process; killed when dropped.
#[derive(Debug)]
pub struct PeerProcess {
    name: String,
    child: Child,
    log: PathBuf,
    dir: tempfile_dir::TempDir,
}

impl PeerProcess {
    /// Starts `program args...` under `timeout`, with stdout and stderr going to a log file
    /// that errors quote.
    ///
    /// # Errors
    /// When the program cannot be started.
    pub fn spawn(
        name: &str,
        program: &Path,
        args: &[&str],
        envs: &[(&str, &str)],
    ) -> Result<Self, PeerError> {
        let dir = tempfile_dir::TempDir::new(name)?;
        let log = dir.path().join("peer.log");
        let file = std::fs::File::create(&log)
            .map_err(|e| PeerError(format!("creating the log of {name}: {e}")))?;
        let err_file =
            file.try_clone().map_err(|e| PeerError(format!("creating the log of {name}: {e}")))?;
        let mut command = Command::new("timeout");
        command
            .arg("--kill-after=5")
            .arg(PEER_LIFETIME.as_secs().to_string())
            .arg(program)
            .args(args)
            .envs(envs.iter().copied())
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err_file);
        let child = command
            .spawn()
            .map_err(|e| PeerError(format!("starting {name} ({}): {e}", program.display())))?;
        Ok(Self { name: name.to_owned(), child, log, dir })
    }

    /// A scratch directory that lives as long as the peer (its working directory).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Waits until `addr` accepts TCP connections.
    ///
    /// # Errors
    /// When the process exits first or `within` passes; the message quotes its log.
    pub fn wait_for_tcp(&mut self, addr: SocketAddr, within: Duration) -> Result<(), PeerError> {
        self.wait_until(within, || {
            TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
        })
    }

    /// Waits until `GET path` on `addr` answers with a status below 500.
    ///
    /// # Errors
    /// When the process exits first or `within` passes; the message quotes its log.
    pub fn wait_for_http(
        &mut self,
        addr: SocketAddr,
        path: &str,
        within: Duration,
    ) -> Result<(), PeerError> {
        self.wait_until(within, || http_status(addr, path).is_some_and(|status| status < 500))
    }

    /// Waits until `ready` holds, polling every 50 ms.
    ///
    /// # Errors
    /// When the process exits first or `within` passes; the message quotes its log.
    pub fn wait_until(
        &mut self,
        within: Duration,
        mut ready: impl FnMut() -> bool,
    ) -> Result<(), PeerError> {
        let deadline = Instant::now() + within;
        loop {
            if ready() {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(PeerError(format!(
                    "{} exited ({status}) before it was ready:\n{}",
                    self.name,
                    self.log_tail()
                )));
            }
            if Instant::now() >= deadline {
                return Err(PeerError(format!(
                    "{} was not ready within {:?}:\n{}",
                    self.name,
                    within,
                    self.log_tail()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The last 40 lines of the peer's output.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for PeerProcess {
    /// Stops the peer and everything it started in its process group (`timeout` makes
    /// itself the leader of a new group, and the peer and its children run in it):
    /// 1. `SIGTERM` to the whole group, so that the peer is asked to stop directly. Sending
    ///    it to `timeout` alone relied on `timeout` passing it on, and GNU timeout (9.1
    ///    here) does not when the signal arrives after `fork` returned but before it stored
    ///    its child's pid: it exits 143 and leaves the peer running. On a loaded machine
    ///    the peer can start and be ready inside that window; a CI run failed on it.
    /// 2. Up to 5 seconds for `timeout` to exit (it waits for the peer when it did pass the
    ///    signal on).
    /// 3. `SIGKILL` to the group, for whatever ignored `SIGTERM` or outlived `timeout`.
    /// 4. Up to 5 seconds until no process of the group runs, so that the peer has
    ///    stopped when the guard is gone. A process whose parent died is reparented to
    ///    pid 1 and stays a zombie until that reaps it: dead, holding no port or file.
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        signal_group("-TERM", &group);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && !matches!(self.child.try_wait(), Ok(Some(_))) {
            std::thread::sleep(Duration::from_millis(10));
        }
        signal_group("-KILL", &group);
        let _ = self.child.wait();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && group_runs(self.child.id()) {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// `kill <signal> -- -<pgid>`, with the outcome ignored: no process left in the group is
/// the usual answer once the peer has stopped.
fn signal_group(signal: &str, group: &str) {
    let _ = Command::new("kill")
        .args([signal, "--", group])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Whether process `pid` runs: it exists and is not a zombie (dead and not yet reaped; a
/// process whose parent died waits for pid 1 to reap it, which can take seconds). For
/// tests of code that starts and stops processes (Linux: reads `/proc/<pid>/stat`).
pub fn process_runs(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| state_and_group(&stat).is_some_and(|(state, _)| is_live(state)))
}

/// Whether a process of group `pgid` still runs (a zombie does not count), from
/// `/proc/<pid>/stat`.
fn group_runs(pgid: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else { return false };
    entries.flatten().any(|entry| {
        entry.file_name().to_str().is_some_and(|name| name.bytes().all(|b| b.is_ascii_digit()))
            && std::fs::read_to_string(entry.path().join("stat"))
                .is_ok_and(|stat| runs_in_group(&stat, pgid))
    })
}

fn runs_in_group(stat: &str, pgid: u32) -> bool {
    state_and_group(stat).is_some_and(|(state, pgrp)| pgrp == pgid && is_live(state))
}

/// The state and the process group of a `/proc/<pid>/stat` line, `pid (comm) state ppid
/// pgrp ...`; `comm` may hold spaces and parentheses, so the fields are counted after its
/// last `)`.
fn state_and_group(stat: &str) -> Option<(&str, u32)> {
    let (_, fields) = stat.rsplit_once(')')?;
    let mut fields = fields.split_whitespace();
    let state = fields.next()?;
    let pgrp = fields.nth(1)?.parse().ok()?;
    Some((state, pgrp))
}

/// Neither a zombie nor dead.
fn is_live(state: &str) -> bool {
    !matches!(state, "Z" | "X" | "x")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stat_line_is_read_after_the_last_parenthesis() {
        let stat = "4242 (a (b) c) S 1 4200 4100 0 -1 4194304";
        assert!(super::runs_in_group(stat, 4200));
        assert!(!super::runs_in_group(stat, 4100), "4100 is the session, not the group");
        assert!(!super::runs_in_group("4242 (sleep) Z 1 4200 4100", 4200), "a zombie has stopped");
        assert!(!super::runs_in_group("garbage", 4200));
    }

    #[test]
    fn this_process_runs_and_a_pid_no_process_has_does_not() {
        assert!(super::process_runs(std::process::id()));
        assert!(!super::process_runs(0), "pid 0 is no process's in /proc");
    }
}

/// A copy of the workspace's `examples/dbt-project` in a scratch directory removed on
/// drop: dbt writes `target/`, `logs/` and its database inside the project, and tests must
/// never write into the repository. Each copy has its own database, and starts with dbt's
/// saved parse of the same files (`target/partial_parse.msgpack`, as a project that has
/// run before has it; the `parse_state` module says why and what dbt does with it).
#[derive(Debug)]
pub struct DbtProject {
    dir: tempfile_dir::TempDir,
}

impl DbtProject {
    /// Copies the example project (without any `target/` or `logs/` left in it), with the
    /// saved parse in `target/` when it could be made.
    ///
    /// # Errors
    /// When the example project is missing or cannot be copied.
    pub fn copy() -> Result<Self, PeerError> {
        let source = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(|root| root.join("examples").join("dbt-project"))
            .filter(|p| p.join("dbt_project.yml").is_file())
            .ok_or_else(|| {
                PeerError("examples/dbt-project not found in the workspace".to_owned())
            })?;
        let dir = tempfile_dir::TempDir::new("dbt-project")?;
        copy_tree(&source, dir.path())
            .map_err(|e| PeerError(format!("copying {}: {e}", source.display())))?;
        if let Some(saved) = parse_state::saved_parse(&source) {
            let target = dir.path().join("target");
            std::fs::create_dir_all(&target)
                .and_then(|()| std::fs::copy(saved, target.join(parse_state::PARTIAL_PARSE_FILE)))
                .map_err(|e| PeerError(format!("copying {}: {e}", saved.display())))?;
        }
        Ok(Self { dir })
    }

    /// The project directory (also its profiles directory).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `dbt <args>` of the test virtualenv on this copy, as the dbt plugins run it with the
    /// tests' settings: the project is its own profiles directory, target `dev` (the
    /// saved parse was made with these; other arguments make dbt parse everything), no
    /// usage statistics sent, bytecode kept in the peer cache.
    ///
    /// # Errors
    /// When dbt is not installed; the message says to run `scripts/setup`.
    pub fn dbt(&self, args: &[&str]) -> Result<Command, PeerError> {
        dbt_command(self.path(), args)
    }

    /// Whether dbt has run in this copy: it wrote its log (`logs/`), or something in
    /// `target/` besides the saved parse the copy started with.
    pub fn dbt_has_run(&self) -> bool {
        self.path().join("logs").exists()
            || std::fs::read_dir(self.path().join("target")).is_ok_and(|mut entries| {
                entries.any(|e| e.is_ok_and(|e| e.file_name() != parse_state::PARTIAL_PARSE_FILE))
            })
    }
}

/// [`DbtProject::dbt`] for the project in `dir`.
fn dbt_command(dir: &Path, args: &[&str]) -> Result<Command, PeerError> {
    let mut command = Command::new(venv_bin("dbt")?);
    command
        .args(args)
        .arg("--project-dir")
        .arg(dir)
        .arg("--profiles-dir")
        .arg(dir)
        .args(["--target", "dev"])
        .current_dir(dir)
        .env("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        .envs(dbt::python_bytecode_cache());
    Ok(command)
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "target" || name == "logs" {
            continue;
        }
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &to.join(&name))?;
        } else {
            std::fs::copy(entry.path(), to.join(&name))?;
        }
    }
    Ok(())
}

/// The status code of `GET path` on `addr`, or `None` if it did not answer in 2 seconds.
pub fn http_status(addr: SocketAddr, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream.set_write_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").ok()?;
    let mut head = [0_u8; 64];
    let read = stream.read(&mut head).ok()?;
    let line = std::str::from_utf8(&head[..read]).ok()?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A scratch directory removed on drop, without another dependency.
mod tempfile_dir {
    use std::path::{Path, PathBuf};

    use super::PeerError;

    #[derive(Debug)]
    pub(super) struct TempDir(PathBuf);

    impl TempDir {
        pub(super) fn new(name: &str) -> Result<Self, PeerError> {
            use opentelemetry_sdk::trace::IdGenerator as _;
            let unique = opentelemetry_sdk::trace::RandomIdGenerator::default().new_span_id();
            let path = std::env::temp_dir().join(format!("floe-peer-{name}-{unique}"));
            std::fs::create_dir_all(&path)
                .map_err(|e| PeerError(format!("creating {}: {e}", path.display())))?;
            Ok(Self(path))
        }

        pub(super) fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
