//! The one build of `cargo xtask faults`: `cargo test --workspace --no-run`, read as cargo's
//! JSON messages for the `it` test binary of each package and the library search paths
//! `cargo test` would give those binaries at run time.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};
use cargo_metadata::Message;

/// What the build produced.
#[derive(Debug, Default)]
pub(crate) struct Built {
    /// The `it` test binary of each package, by package directory (absolute).
    pub(crate) binaries: BTreeMap<PathBuf, PathBuf>,
    /// The native library search paths build scripts asked for inside the target
    /// directory (libduckdb's link, for one), which `cargo test` puts on
    /// `LD_LIBRARY_PATH`.
    pub(crate) library_paths: Vec<PathBuf>,
    /// The target directory.
    pub(crate) target_dir: PathBuf,
}

impl Built {
    /// The `it` binary of the package in `dir` (absolute).
    pub(crate) fn binary(&self, dir: &Path) -> Result<&Path> {
        self.binaries.get(dir).map(PathBuf::as_path).with_context(|| {
            format!("cargo test --no-run built no tests/it binary for {}", dir.display())
        })
    }

    /// `LD_LIBRARY_PATH` for the test binaries.
    pub(crate) fn ld_library_path(&self) -> std::ffi::OsString {
        let inherited = std::env::var_os("LD_LIBRARY_PATH").unwrap_or_default();
        let paths = self.library_paths.iter().cloned().chain(std::env::split_paths(&inherited));
        std::env::join_paths(paths).unwrap_or(inherited)
    }
}

/// Builds every test binary of the workspace (what `scripts/test` builds, so a CI run
/// finds it built) and returns where the `it` binaries are.
pub(crate) fn build(root: &Path) -> Result<Built> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("faults: cargo test --workspace --no-run");
    let mut child = Command::new(cargo)
        .args(["test", "--workspace", "--no-run", "--message-format=json-render-diagnostics"])
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("running cargo test --no-run")?;
    let stdout = child.stdout.take().context("cargo's stdout")?;
    let mut built = Built::default();
    for message in Message::parse_stream(BufReader::new(stdout)) {
        match message.context("reading cargo's messages")? {
            Message::CompilerArtifact(artifact) => {
                let is_it = artifact.target.name == "it"
                    && artifact.target.kind.iter().any(|k| k.to_string() == "test");
                if let (true, Some(exe)) = (is_it, artifact.executable) {
                    let dir =
                        artifact.manifest_path.parent().map(PathBuf::from).unwrap_or_default();
                    built.binaries.insert(dir, exe.into_std_path_buf());
                }
            }
            Message::BuildScriptExecuted(script) => {
                for path in script.linked_paths {
                    let path = path.as_str();
                    let path = path.split_once('=').map_or(path, |(_, p)| p);
                    built.library_paths.push(PathBuf::from(path));
                }
            }
            _ => {}
        }
    }
    let status = child.wait().context("waiting for cargo test --no-run")?;
    if !status.success() {
        bail!("cargo test --workspace --no-run failed ({status})");
    }
    built.target_dir = target_dir(root);
    built.library_paths.retain(|p| p.starts_with(&built.target_dir));
    built.library_paths.sort();
    built.library_paths.dedup();
    Ok(built)
}

/// `$CARGO_TARGET_DIR`, else `<root>/target`.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |dir| root.join(dir))
}
