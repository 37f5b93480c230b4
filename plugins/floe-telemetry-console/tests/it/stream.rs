//! The configured stream really receives the spans: this test runs itself again as a
//! child process that starts telemetry from the plugin's exporter configuration (the one
//! place start-up runs, in a process with no capture), compiles a manifest that selects
//! the console backend, and exits; the parent reads the child's two streams.

use std::path::Path;
use std::process::Command;

use floe_core::compile::{CompileRequest, compile};
use floe_core::plugin::categories::TelemetryBackend as _;
use floe_core::plugin::registered;
use floe_core::telemetry::{ConsoleTarget, ProcessEnv, TelemetryConfig, init_telemetry};
use floe_telemetry_console::{ConsoleConfig, ConsoleTelemetryPlugin};

/// Set in the child: the target to configure.
const CHILD: &str = "FLOE_CONSOLE_TEST_CHILD";
/// This test, as the child runs it.
const NAME: &str = "stream::compile_spans_reach_exactly_the_configured_stream";

const MANIFEST: &str = "\
api_version: floe/v1
platform: { name: console-demo, namespace: analytics }
plugins:
  telemetry_backend: { type: console, config: { target: stdout } }
";

/// What the child does: telemetry from the plugin's configuration, then a real compile.
fn child(target: ConsoleTarget) {
    let plugin = ConsoleTelemetryPlugin::new(ConsoleConfig { target });
    let config = TelemetryConfig {
        namespace: Some("analytics".to_owned()),
        exporter: plugin.exporter_config(),
        ..TelemetryConfig::default()
    };
    let guard = init_telemetry(&config).expect("the console exporter starts");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let manifest = dir.path().join("manifest.yaml");
    std::fs::write(&manifest, MANIFEST).expect("the manifest is written");
    let outcome = compile(&CompileRequest {
        manifest: &manifest,
        output: None,
        registry: &registered(),
        env: &ProcessEnv,
    })
    .expect("the manifest compiles");
    assert_eq!(outcome.artifacts.plugins.len(), 1);
    guard.shutdown().expect("the spans are flushed");
}

/// Runs this test again as a child configured for `target`; its stdout and stderr.
fn run_child(target: &str) -> (String, String) {
    let exe = std::env::current_exe().expect("the test binary's path");
    let output = Command::new(exe)
        .args(["--exact", NAME, "--test-threads=1"])
        .env(CHILD, target)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .output()
        .expect("the child test runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "the child failed:\n{stdout}\n{stderr}");
    (stdout, stderr)
}

/// The span lines of `text` (the first may follow libtest's `test ... ` on one line).
fn span_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|line| {
            line.match_indices("span ")
                .find(|(at, _)| *at == 0 || line[..*at].ends_with(' '))
                .map(|(at, _)| &line[at..])
        })
        .collect()
}

#[test]
fn compile_spans_reach_exactly_the_configured_stream() {
    match std::env::var(CHILD).as_deref() {
        Ok("stdout") => return child(ConsoleTarget::Stdout),
        Ok("stderr") => return child(ConsoleTarget::Stderr),
        Ok(other) => panic!("unknown child target {other:?}"),
        Err(_) => {}
    }
    for (target, index) in [("stdout", 0), ("stderr", 1)] {
        let streams = run_child(target);
        let (configured, other) =
            if index == 0 { (&streams.0, &streams.1) } else { (&streams.1, &streams.0) };

        let lines = span_lines(configured);
        let root = lines
            .iter()
            .find(|line| line.starts_with("span floe.compile [ok]"))
            .unwrap_or_else(|| panic!("no floe.compile line on {target}:\n{configured}"));
        assert!(root.contains("floe.namespace=analytics"), "{root}");
        assert!(root.contains("floe.compile.manifest=manifest.yaml"), "{root}");
        for stage in ["compile.load", "compile.validate", "compile.resolve", "compile.enforce"] {
            let line = lines
                .iter()
                .find(|line| line.starts_with(&format!("span {stage} [ok]")))
                .unwrap_or_else(|| panic!("no {stage} line on {target}:\n{configured}"));
            assert!(line.contains(" parent="), "{stage} has a parent: {line}");
        }
        assert!(span_lines(other).is_empty(), "span lines leaked to the other stream:\n{other}");
    }
}
