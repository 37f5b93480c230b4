//! The `floe` command's library: argument parsing and the commands, so tests can run them
//! in-process with a registry of their own.

mod audit;
mod compile;
mod output;
mod plugins;
mod sanitize;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use floe_core::plugin::PluginDescriptor;

include!(concat!(env!("OUT_DIR"), "/linked_plugins.rs"));

/// floe: the data platform's plugin layer, instrumented and verified.
#[derive(Debug, Parser)]
#[command(name = "floe", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compile a platform manifest: load, validate, resolve plugins, enforce the
    /// instrumentation audit, compile and write the artifacts.
    Compile(compile::CompileArgs),
    /// Audit the instrumentation of every registered plugin.
    Audit(audit::AuditArgs),
    /// List the registered plugins.
    Plugins(plugins::PluginsArgs),
    /// Redact credentials from text read on standard input.
    Sanitize(sanitize::SanitizeArgs),
}

/// Where a command writes.
pub struct Io<'a> {
    /// Standard output.
    pub out: &'a mut dyn std::io::Write,
    /// Standard error.
    pub err: &'a mut dyn std::io::Write,
}

impl std::fmt::Debug for Io<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Io")
    }
}

/// Runs the command `args` describes against `registry`, writing to `io`.
pub fn run(
    args: impl IntoIterator<Item = String>,
    registry: &[&'static PluginDescriptor],
    io: &mut Io<'_>,
) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = write!(io.err, "{}", error.render());
            return if error.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let result = match &cli.command {
        Command::Compile(args) => compile::run(args, registry, io),
        Command::Audit(args) => audit::run(args, registry, io),
        Command::Plugins(args) => plugins::run(args, registry, io),
        Command::Sanitize(args) => sanitize::run(args, io),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(io.err, "error: {message}");
            ExitCode::FAILURE
        }
    }
}
