//! The one test build both `cargo xtask test` and `cargo xtask faults` run from:
//! `cargo test --workspace --no-run`, read as cargo's JSON messages for every test
//! executable (unit tests, integration tests, binaries' tests) and the library search paths
//! `cargo test` would give them at run time, so a task can run the binaries directly.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};
use cargo_metadata::{Message, MetadataCommand, PackageId};

/// One test executable.
#[derive(Debug, Clone)]
pub(crate) struct TestBinary {
    /// The package's name.
    pub(crate) package: String,
    /// The package's version.
    pub(crate) version: String,
    /// The package directory (absolute): the working directory `cargo test` gives it.
    pub(crate) dir: PathBuf,
    /// The target: `lib`, `bin <name>` or `test <name>`.
    pub(crate) target: String,
    /// The target's crate name (`CARGO_CRATE_NAME`).
    pub(crate) crate_name: String,
    /// The executable.
    pub(crate) path: PathBuf,
}

impl TestBinary {
    /// `<package> <target>`, as reports name it.
    pub(crate) fn label(&self) -> String {
        format!("{} {}", self.package, self.target)
    }

    /// A command running this binary the way `cargo test` does: its package directory as
    /// working directory, the `CARGO_*` variables cargo sets at run time, the library path.
    pub(crate) fn command(&self, built: &Built) -> Command {
        let mut command = Command::new(&self.path);
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        command
            .current_dir(&self.dir)
            .env("CARGO", cargo)
            .env("CARGO_MANIFEST_DIR", &self.dir)
            .env("CARGO_MANIFEST_PATH", self.dir.join("Cargo.toml"))
            .env("CARGO_PKG_NAME", &self.package)
            .env("CARGO_PKG_VERSION", &self.version)
            .env("CARGO_CRATE_NAME", &self.crate_name)
            .env("LD_LIBRARY_PATH", built.ld_library_path())
            .stdin(Stdio::null());
        command
    }
}

/// What the build produced.
#[derive(Debug, Default)]
pub(crate) struct Built {
    /// Every test executable, in the order cargo reported them.
    pub(crate) binaries: Vec<TestBinary>,
    /// The native library search paths build scripts asked for inside the target
    /// directory (libduckdb's link, for one), which `cargo test` puts on
    /// `LD_LIBRARY_PATH`.
    pub(crate) library_paths: Vec<PathBuf>,
    /// The target directory.
    pub(crate) target_dir: PathBuf,
}

impl Built {
    /// The `tests/it` binary of the package in `dir` (absolute).
    pub(crate) fn it_binary(&self, dir: &Path) -> Result<&TestBinary> {
        self.binaries.iter().find(|b| b.dir == dir && b.target == "test it").with_context(|| {
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

/// Builds every test binary of the workspace (`cargo test --workspace --no-run`) and
/// returns them; `task` names the caller in the progress line.
pub(crate) fn build(root: &Path, task: &str) -> Result<Built> {
    let metadata = MetadataCommand::new()
        .current_dir(root)
        .no_deps()
        .exec()
        .context("reading the workspace with cargo metadata")?;
    let packages: BTreeMap<&PackageId, &cargo_metadata::Package> =
        metadata.packages.iter().map(|p| (&p.id, p)).collect();
    eprintln!("{task}: cargo test --workspace --no-run");
    let mut child = crate::cargo_cmd::cargo()
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
                let (Some(exe), true) = (artifact.executable, artifact.profile.test) else {
                    continue;
                };
                let Some(package) = packages.get(&artifact.package_id) else { continue };
                let kind = artifact.target.kind.first().map(ToString::to_string);
                let target = match kind.as_deref() {
                    Some("lib" | "rlib" | "proc-macro" | "cdylib" | "dylib" | "staticlib") => {
                        "lib".to_owned()
                    }
                    Some(kind) => format!("{kind} {}", artifact.target.name),
                    None => artifact.target.name.clone(),
                };
                let dir = artifact.manifest_path.parent().map(PathBuf::from).unwrap_or_default();
                built.binaries.push(TestBinary {
                    package: package.name.to_string(),
                    version: package.version.to_string(),
                    dir,
                    target,
                    crate_name: artifact.target.name.replace('-', "_"),
                    path: exe.into_std_path_buf(),
                });
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
    built.target_dir = metadata.target_directory.into_std_path_buf();
    built.library_paths.retain(|p| p.starts_with(&built.target_dir));
    built.library_paths.sort();
    built.library_paths.dedup();
    Ok(built)
}
