//! Where the testkit writes: the calling crate's workspace and target directory, found at
//! run time, never the testkit's own directory (which, for a git or registry dependency,
//! is somewhere in Cargo's cache).

use std::path::{Path, PathBuf};

/// The workspace root holding `manifest_dir`: the nearest ancestor (itself included) whose
/// `Cargo.toml` declares `[workspace]`, else `manifest_dir` (a crate that is its own
/// workspace without saying so).
pub(crate) fn workspace_root_of(manifest_dir: &Path) -> PathBuf {
    for dir in manifest_dir.ancestors() {
        let manifest = dir.join("Cargo.toml");
        if std::fs::read_to_string(&manifest).is_ok_and(|text| declares_workspace(&text)) {
            return dir.to_path_buf();
        }
    }
    manifest_dir.to_path_buf()
}

fn declares_workspace(manifest: &str) -> bool {
    manifest.lines().any(|line| line.trim() == "[workspace]")
}

/// The manifest directory of the crate whose test is running: Cargo sets
/// `CARGO_MANIFEST_DIR` for the processes `cargo test` starts.
pub(crate) fn caller_manifest_dir() -> Option<PathBuf> {
    std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from)
}

/// The target directory of the running test: `$CARGO_TARGET_DIR`, else
/// `<workspace root>/target`, else (outside `cargo test`) the directory above the test
/// binary's profile directory.
pub(crate) fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(manifest_dir) = caller_manifest_dir() {
        return workspace_root_of(&manifest_dir).join("target");
    }
    // <target>/<profile>/deps/<binary>
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
        .unwrap_or_else(std::env::temp_dir)
}

/// The file stem of the running test binary (`it-3f9c0a12b4d5e6f7`): unique per test
/// target and build, so two crates' `tests/it` binaries never share a file name.
pub(crate) fn binary_stem() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "test".to_owned())
}

/// `text` with every character outside `[A-Za-z0-9_-]` replaced by `_`, for file names.
pub(crate) fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect()
}
