//! `cargo xtask <task>`: workspace tasks. This file only dispatches.

mod audit_coverage;
mod cargo_cmd;
mod codegen;
mod exemptions;
mod facts;
mod faults;
mod finding;
mod manifest;
mod registry;
mod registry_coverage;
mod test_run;
mod testbins;
mod tidy;
mod tokens;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> &'static str {
    "usage: cargo xtask <task>\n\
     tasks:\n  \
       codegen [--check]                 generate attr.rs, ops.rs, registry.rs and docs/telemetry.md from the telemetry registry\n  \
       audit-coverage [--format json]    fail on untested or unsanitized instrumentation (every finding, then exit 1)\n  \
       registry-coverage [--format json] [--dir <path>]  which registry spans and attributes the tests produced (the testkit's coverage records); exit 1 below 100 % of spans\n  \
       tidy                              fail on style rules the compiler does not check (docs/conventions.md)\n  \
       test [-p PKG]... [--jobs N] [--partition slice:M/N] [-- ARGS]\n                                         \
       every test of the workspace, test binaries side by side, snapshots checked\n  \
       faults [-p PKG]... [--fault F]... [--jobs N] [--format json]\n                                         \
       run each package's tracing tests and contract row under each telemetry fault; fail on a missed one\n"
}

/// The workspace root: the nearest ancestor of the working directory that holds this
/// workspace (a `Cargo.toml` beside an `xtask/` folder), else the parent of this crate.
///
/// The working directory comes first because the built binary may be shared by several
/// clones through one `CARGO_TARGET_DIR`: the path baked in at compile time can name
/// another clone than the one `cargo xtask` was run in.
fn workspace_root() -> PathBuf {
    let from_cwd = std::env::current_dir().ok().and_then(|cwd| {
        cwd.ancestors()
            .find(|dir| dir.join("Cargo.toml").is_file() && dir.join("xtask/Cargo.toml").is_file())
            .map(PathBuf::from)
    });
    from_cwd.unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map_or_else(|| PathBuf::from("."), PathBuf::from)
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let rest = args.get(1..).unwrap_or_default();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen::run(&root, rest.iter().any(|a| a == "--check")),
        Some("audit-coverage") => audit_coverage::run(&root, rest),
        Some("registry-coverage") => registry_coverage::run(&root, rest),
        Some("tidy") => tidy::run(&root, rest),
        Some("faults") => faults::run(&root, rest),
        Some("test") => test_run::run(&root, rest),
        Some(other) => {
            eprintln!("unknown task {other:?}\n{}", usage());
            return ExitCode::from(2);
        }
        None => {
            eprintln!("{}", usage());
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::render;
    use crate::workspace::Workspace;

    /// `cargo test --workspace` fails when the generated code or docs are stale.
    #[test]
    fn generated_code_and_docs_match_the_registry() {
        assert!(
            super::codegen::run(&super::workspace_root(), true).unwrap(),
            "run `cargo xtask codegen`"
        );
    }

    /// `cargo test --workspace` runs `cargo xtask audit-coverage`.
    #[test]
    fn the_workspace_passes_audit_coverage() {
        let workspace = Workspace::load(&super::workspace_root()).unwrap();
        let findings = super::audit_coverage::check(&workspace);
        assert!(findings.is_empty(), "cargo xtask audit-coverage:\n{}", render(&findings));
    }

    /// `cargo test --workspace` runs `cargo xtask tidy`.
    #[test]
    fn the_workspace_passes_tidy() {
        let findings = super::tidy::findings(&super::workspace_root()).unwrap();
        assert!(findings.is_empty(), "cargo xtask tidy:\n{}", render(&findings));
    }
}
