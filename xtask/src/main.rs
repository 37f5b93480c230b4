//! `cargo xtask <task>`: workspace tasks. This file only dispatches.

mod codegen;
mod registry;

use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> &'static str {
    "usage: cargo xtask <task>\n\
     tasks:\n  \
       codegen [--check]   generate attr.rs, ops.rs, registry.rs and docs/telemetry.md from the telemetry registry\n"
}

/// The workspace root (the parent of this crate).
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), PathBuf::from)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let check = args.iter().any(|a| a == "--check");
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen::run(&root, check),
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
    /// `cargo test --workspace` fails when the generated code or docs are stale.
    #[test]
    fn generated_code_and_docs_match_the_registry() {
        assert!(
            super::codegen::run(&super::workspace_root(), true).unwrap(),
            "run `cargo xtask codegen`"
        );
    }
}
