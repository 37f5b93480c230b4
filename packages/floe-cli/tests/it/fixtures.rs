//! Test plugins and manifests for in-process runs of the CLI.
#![expect(clippy::unwrap_used, reason = "a fixture that cannot be set up fails the test")]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use floe_core::plugin::{
    Plugin, PluginCategory, PluginDescriptor, PluginError, PluginMetadata, ResolvedConfig,
};
use floe_core::secret::Secret;
use serde::Deserialize;

/// An instrumented compute plugin with a typed config that holds a secret.
pub(crate) static COMPUTE: PluginMetadata = PluginMetadata::new(
    "floe-test-compute",
    "testdb",
    "0.0.1",
    PluginCategory::Compute,
    "test compute",
)
.with_tracer_name("floe.compute.testdb");

/// A plugin that declares no tracer.
pub(crate) static BARE: PluginMetadata = PluginMetadata::new(
    "floe-test-bare",
    "bare",
    "0.0.1",
    PluginCategory::AlertChannel,
    "uninstrumented",
);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code, reason = "fields are decoded to prove the config types")]
struct TestConfig {
    path: String,
    threads: u32,
    #[serde(default)]
    password: Option<Secret<String>>,
}

#[derive(Debug)]
struct TestPlugin(&'static PluginMetadata, serde_json::Value);

impl Plugin for TestPlugin {
    fn metadata(&self) -> &'static PluginMetadata {
        self.0
    }

    fn generated_config(&self) -> Result<serde_json::Value, PluginError> {
        Ok(self.1.clone())
    }
}

fn construct_compute(config: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    let typed: TestConfig = config.decode("compute/testdb")?;
    Ok(Box::new(TestPlugin(
        &COMPUTE,
        serde_json::json!({ "path": typed.path, "threads": typed.threads }),
    )))
}

#[expect(clippy::unnecessary_wraps, reason = "the signature is the registry's Constructor")]
fn construct_bare(_: &ResolvedConfig) -> Result<Box<dyn Plugin>, PluginError> {
    Ok(Box::new(TestPlugin(&BARE, serde_json::Value::Null)))
}

static COMPUTE_DESCRIPTOR: PluginDescriptor =
    PluginDescriptor { metadata: &COMPUTE, construct: construct_compute };
static BARE_DESCRIPTOR: PluginDescriptor =
    PluginDescriptor { metadata: &BARE, construct: construct_bare };

/// The registry the in-process tests use.
pub(crate) fn registry() -> Vec<&'static PluginDescriptor> {
    vec![&COMPUTE_DESCRIPTOR, &BARE_DESCRIPTOR]
}

/// What an in-process run printed.
pub(crate) struct Run {
    pub(crate) code: ExitCode,
    pub(crate) out: String,
    pub(crate) err: String,
}

/// Runs `floe <args>` in-process against the test registry.
pub(crate) fn run(args: &[&str]) -> Run {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let command_line = std::iter::once("floe").chain(args.iter().copied()).map(str::to_owned);
    let code = floe_cli::run(
        command_line,
        &registry(),
        &mut floe_cli::Io { out: &mut out, err: &mut err },
    );
    Run { code, out: String::from_utf8(out).unwrap(), err: String::from_utf8(err).unwrap() }
}

/// A directory with `manifest.yaml` (with `plugins` as given) and `secrets.yaml`.
pub(crate) fn platform(plugins_yaml: &str, secret: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let manifest = format!(
        "api_version: floe/v1\nplatform: {{ name: test-platform, namespace: analytics }}\n\
         telemetry: {{ exporter: {{ kind: none }} }}\nsecrets_file: secrets.yaml\nplugins:\n{plugins_yaml}"
    );
    std::fs::write(dir.path().join("manifest.yaml"), manifest).unwrap();
    std::fs::write(dir.path().join("secrets.yaml"), format!("db_password: {secret}\n")).unwrap();
    let path = dir.path().join("manifest.yaml");
    (dir, path)
}

/// The artifacts path inside a test directory.
pub(crate) fn output(dir: &Path) -> String {
    dir.join("out/artifacts.json").to_string_lossy().into_owned()
}
