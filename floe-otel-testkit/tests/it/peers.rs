//! Peer processes start, are waited for with a bound, and report clearly when they fail.

use std::time::Duration;

use floe_otel_testkit::peers::{self, PeerProcess};

#[test]
fn a_peer_that_listens_is_ready_and_stops_on_drop() {
    let port = peers::free_port();
    let python = peers::venv_bin("python").expect("scripts/setup installs the virtualenv");
    let code = format!(
        "import http.server as h; h.HTTPServer(('127.0.0.1', {port}), h.SimpleHTTPRequestHandler).serve_forever()"
    );
    let mut peer = PeerProcess::spawn("http", &python, &["-c", &code], &[]).unwrap();
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    peer.wait_for_http(addr, "/", Duration::from_secs(20)).unwrap();
    assert_eq!(peers::http_status(addr, "/"), Some(200));
    drop(peer);
    assert_eq!(peers::http_status(addr, "/"), None, "the peer stopped with its guard");
}

#[test]
fn a_peer_that_exits_early_is_an_error_quoting_its_output() {
    let python = peers::venv_bin("python").unwrap();
    let mut peer = PeerProcess::spawn(
        "broken",
        &python,
        &["-c", "import sys; print('bad config: port'); sys.exit(3)"],
        &[],
    )
    .unwrap();
    let err =
        peer.wait_for_tcp(peers::closed_port(), Duration::from_secs(20)).unwrap_err().to_string();
    assert!(err.starts_with("broken exited"), "{err}");
    assert!(err.contains("bad config: port"), "{err}");
}

/// The closed port is one per process, below the kernel's ephemeral range (so no
/// `bind(.., 0)` and no outgoing connection is handed it), refuses connections, and is
/// never what `free_port` draws.
#[test]
fn the_closed_port_is_below_the_ephemeral_range_refuses_and_is_never_drawn() {
    let closed = peers::closed_port();
    assert_eq!(peers::closed_port(), closed);
    let ephemeral_start: u16 = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(32768);
    assert!(closed.port() < ephemeral_start, "{closed} is in the ephemeral range");
    let refused = std::net::TcpStream::connect_timeout(&closed, Duration::from_millis(500));
    assert!(refused.is_err(), "something listens on {closed}");
    assert!((0..500).all(|_| peers::free_port() != closed.port()));
}

#[test]
fn a_peer_that_never_gets_ready_times_out_with_a_bound() {
    let python = peers::venv_bin("python").unwrap();
    let mut peer =
        PeerProcess::spawn("sleeper", &python, &["-c", "import time; time.sleep(30)"], &[])
            .unwrap();
    let started = std::time::Instant::now();
    let err = peer
        .wait_for_tcp(peers::closed_port(), Duration::from_millis(300))
        .unwrap_err()
        .to_string();
    assert!(err.contains("was not ready within 300ms"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn missing_executables_say_how_to_install_them() {
    let err = peers::venv_bin("no-such-tool").unwrap_err().to_string();
    assert!(err.ends_with("run scripts/setup"), "{err}");
    let err = peers::system_bin("no-such-daemon").unwrap_err().to_string();
    assert_eq!(err, "no-such-daemon is not installed: run scripts/setup");
}

#[test]
fn a_dbt_project_copy_leaves_build_output_behind_starts_parsed_and_is_removed_on_drop() {
    let project = peers::DbtProject::copy().unwrap();
    let root = project.path().to_owned();
    assert!(root.join("dbt_project.yml").is_file());
    assert!(root.join("models").join("stg_orders.sql").is_file());
    let target: Vec<_> = std::fs::read_dir(root.join("target"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(target, ["partial_parse.msgpack"], "only dbt's saved parse is in target/");
    assert!(!project.dbt_has_run());
    std::fs::write(root.join("target").join("manifest.json"), "{}").unwrap();
    assert!(project.dbt_has_run(), "an artifact in target/ is dbt's doing");
    let logged = peers::DbtProject::copy().unwrap();
    std::fs::create_dir(logged.path().join("logs")).unwrap();
    assert!(logged.dbt_has_run(), "logs/ is dbt's doing");
    let other = peers::DbtProject::copy().unwrap();
    assert_ne!(other.path(), root, "each copy has its own directory (and database)");
    drop(project);
    assert!(!root.exists());
}

/// Whether process `pid` still runs: gone, or a zombie (dead, waiting to be reaped by
/// pid 1 after its parent died), is stopped.
fn runs(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.starts_with(" Z")))
}

/// Starts `script` under `sh` as a peer and waits for the pid it writes to `pid`.
fn sh_peer(script: &str) -> (PeerProcess, String) {
    let sh = std::path::Path::new("sh");
    let mut peer = PeerProcess::spawn("sh", sh, &["-c", script], &[]).expect("sh starts");
    let pid_file = peer.dir().join("pid");
    peer.wait_until(Duration::from_secs(5), || {
        std::fs::read_to_string(&pid_file).is_ok_and(|t| t.ends_with('\n'))
    })
    .expect("the script writes its pid");
    let pid = std::fs::read_to_string(&pid_file).expect("the pid was written").trim().to_owned();
    (peer, pid)
}

#[test]
fn dropping_a_peer_stops_the_program_that_timeout_watches() {
    let (peer, pid) = sh_peer("echo $$ > pid && exec sleep 300");
    assert!(runs(&pid), "the peer runs");
    drop(peer);
    assert!(!runs(&pid), "the peer (pid {pid}) outlived its guard");
}

/// A child the peer started in its process group is stopped with it, even one that
/// ignores `SIGTERM` (which `timeout` alone would leave running: it sends `SIGKILL` only
/// while its own child runs).
#[test]
fn dropping_a_peer_stops_its_children_even_one_that_ignores_sigterm() {
    let (mut peer, pid) = sh_peer("sh -c 'trap \"\" TERM; exec sleep 300' & echo $! > pid; wait");
    let comm = format!("/proc/{pid}/comm");
    peer.wait_until(Duration::from_secs(5), || {
        std::fs::read_to_string(&comm).is_ok_and(|name| name.trim() == "sleep")
    })
    .expect("the child runs sleep (so its trap is set)");
    drop(peer);
    assert!(!runs(&pid), "the peer's child (pid {pid}) outlived its guard");
}

/// The judges' virtualenv and the Node peers are where the helpers say, at the pinned
/// versions `scripts/setup` installs.
#[test]
fn the_validators_and_node_peers_are_installed_at_their_pinned_versions() {
    let validate = peers::validators_bin("kubernetes-validate").unwrap();
    let out = std::process::Command::new(&validate).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1.37.0");

    let modules = peers::node_modules().unwrap();
    for (package, version) in
        [("oidc-provider", "9.13.3"), ("@cubejs-backend/schema-compiler", "0.33.65")]
    {
        let manifest = std::fs::read_to_string(modules.join(package).join("package.json")).unwrap();
        let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
        assert_eq!(manifest["version"], version, "{package}");
    }
}

/// Asks the judge `name`, the shell script `script`, with the request `request`.
fn ask_sh(
    name: &str,
    script: &str,
    request: &serde_json::Value,
    within: Duration,
) -> Result<serde_json::Value, peers::PeerError> {
    peers::ask_json(name, std::path::Path::new("sh"), &["-c", script], &[], request, within)
}

#[test]
fn a_judge_answers_the_json_it_was_asked() {
    let request = serde_json::json!({ "cases": [1, 2, { "x": "y" }] });
    let answer = ask_sh("echo judge", "cat", &request, Duration::from_secs(20)).unwrap();
    assert_eq!(answer, request);
}

/// A judge that answers without reading its request gave no verdict on it. The request is
/// larger than a pipe holds, so the write surely fails once the judge has exited.
#[test]
fn an_answer_to_a_request_the_judge_did_not_read_is_an_error() {
    let request = serde_json::json!({ "cases": "x".repeat(1 << 20) });
    let err = ask_sh("hasty judge", "echo '{}'", &request, Duration::from_secs(20))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("writing the request to hasty judge: "), "{err}");
}

#[test]
fn a_judge_that_fails_or_hangs_is_an_error_quoting_its_stderr_within_the_bound() {
    let request = serde_json::json!({});
    let within = Duration::from_secs(20);
    let err = ask_sh("failing judge", "echo cannot import >&2; exit 3", &request, within)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("failing judge failed (exit status: 3)"), "{err}");
    assert!(err.contains("cannot import"), "{err}");
    let err = ask_sh("chatty judge", "echo not json", &request, within).unwrap_err().to_string();
    assert!(err.starts_with("chatty judge did not answer JSON"), "{err}");
    let started = std::time::Instant::now();
    let err =
        ask_sh("slow judge", "echo thinking >&2; exec sleep 30", &request, Duration::from_secs(1))
            .unwrap_err()
            .to_string();
    assert!(err.starts_with("slow judge did not answer within 1s"), "{err}");
    assert!(err.contains("thinking"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
}

#[test]
fn free_ports_come_from_below_the_kernels_ephemeral_range_and_are_bindable() {
    let start: u16 = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let ports: Vec<u16> = (0..50).map(|_| peers::free_port()).collect();
    for port in &ports {
        assert!((20_000..start).contains(port), "{port} is not below {start}");
        std::net::TcpListener::bind(("127.0.0.1", *port)).unwrap();
    }
    let distinct: std::collections::BTreeSet<_> = ports.iter().collect();
    assert!(distinct.len() > 45, "50 draws gave only {} ports", distinct.len());
}
