//! The `floe` command.

use std::process::ExitCode;

fn main() -> ExitCode {
    let registry = floe_core::plugin::registered();
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    floe_cli::run(std::env::args(), &registry, &mut floe_cli::Io { out: &mut out, err: &mut err })
}
