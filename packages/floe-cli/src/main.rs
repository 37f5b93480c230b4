//! The `floe` command.

mod sanitize;

use std::io::Write as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// floe: the data platform's plugin layer, instrumented and verified.
#[derive(Debug, Parser)]
#[command(name = "floe", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Redact credentials from text read on standard input.
    Sanitize(sanitize::SanitizeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sanitize(args) => sanitize::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "error: {message}");
            ExitCode::FAILURE
        }
    }
}
