//! The one way xtask starts cargo: `$CARGO` (the cargo that runs xtask) without the
//! variables `cargo run` gave the xtask process itself.
//!
//! `cargo xtask` is `cargo run -p xtask`, so this process carries `CARGO_PKG_NAME=xtask`,
//! `CARGO_MANIFEST_DIR=<root>/xtask` and their kin. A cargo started with them hands them
//! on to every build script, and build scripts that declare
//! `cargo:rerun-if-env-changed=CARGO_PKG_NAME` (ring does, for all of `CARGO_PKG_*` and
//! `CARGO_MANIFEST_*`) are then re-run whenever a build alternates between `cargo ...`
//! and `cargo xtask ...`: ring re-ran in the test build and again in the next plain cargo
//! step, and everything above it (rustls, reqwest, the OTLP exporter, floe-telemetry and
//! every plugin) was rebuilt by clippy, the test build, the docs and the benches of every
//! warm CI run.

use std::ffi::OsString;
use std::process::Command;

/// The variables cargo sets for a process it runs (`cargo run`, `cargo test`), by exact
/// name; every `CARGO_PKG_*` and `CARGO_MANIFEST_*` variable goes too.
const RUN_VARIABLES: &[&str] = &[
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "OUT_DIR",
];

/// `cargo` (the one in `$CARGO`, else on the path) with the run variables removed.
pub(crate) fn cargo() -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = Command::new(program);
    for (name, _) in std::env::vars_os() {
        let Some(text) = name.to_str() else { continue };
        if is_run_variable(text) {
            command.env_remove(&name);
        }
    }
    command
}

/// Whether cargo sets `name` for a process it runs, rather than the user for cargo.
fn is_run_variable(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || name.starts_with("CARGO_MANIFEST_")
        || name.starts_with("CARGO_BIN_EXE_")
        || RUN_VARIABLES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_variables_are_told_from_the_users_cargo_settings() {
        for name in ["CARGO_PKG_NAME", "CARGO_PKG_VERSION_MAJOR", "CARGO_MANIFEST_DIR", "OUT_DIR"] {
            assert!(is_run_variable(name), "{name}");
        }
        for name in ["CARGO", "CARGO_HOME", "CARGO_TARGET_DIR", "CARGO_INCREMENTAL", "PATH"] {
            assert!(!is_run_variable(name), "{name}");
        }
    }

    #[test]
    fn the_cargo_command_drops_what_cargo_gave_this_process() {
        // `cargo test` runs this binary with CARGO_PKG_NAME and CARGO_MANIFEST_DIR set, as
        // `cargo run` runs xtask: both must be removed from the child's environment.
        assert!(std::env::var_os("CARGO_PKG_NAME").is_some(), "run this under cargo test");
        let command = cargo();
        let removed: Vec<_> = command
            .get_envs()
            .filter(|(_, value)| value.is_none())
            .filter_map(|(name, _)| name.to_str().map(str::to_owned))
            .collect();
        for name in ["CARGO_PKG_NAME", "CARGO_MANIFEST_DIR"] {
            assert!(removed.iter().any(|r| r == name), "{name} not removed: {removed:?}");
        }
        assert!(!removed.iter().any(|r| r == "CARGO_TARGET_DIR" || r == "PATH"), "{removed:?}");
    }
}
