//! `floe audit`: the instrumentation audit over every registered plugin.

use std::process::ExitCode;

use floe_core::audit::{AuditReport, verify_plugin_instrumentation};
use floe_core::plugin::PluginDescriptor;

use crate::Io;
use crate::output::Format;

/// Arguments of `floe audit`.
#[derive(Debug, clap::Args)]
pub(crate) struct AuditArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Exit non-zero when the audit has a warning.
    #[arg(long)]
    strict: bool,
}

pub(crate) fn run(
    args: &AuditArgs,
    registry: &[&'static PluginDescriptor],
    io: &mut Io<'_>,
) -> Result<ExitCode, String> {
    let report = verify_plugin_instrumentation(registry.iter().map(|d| d.metadata));
    print_report(&report, args.format, io)?;
    Ok(strict_exit(&report, args.strict, io))
}

/// Prints the report in `format`.
pub(crate) fn print_report(
    report: &AuditReport,
    format: Format,
    io: &mut Io<'_>,
) -> Result<(), String> {
    let text = match format {
        Format::Table => report.to_table(),
        Format::Json => {
            serde_json::to_string_pretty(report)
                .map_err(|e| format!("encoding the audit report: {e}"))?
                + "\n"
        }
    };
    io.out.write_all(text.as_bytes()).map_err(|e| format!("writing standard output: {e}"))
}

/// With `--strict`, warnings are a failure.
pub(crate) fn strict_exit(report: &AuditReport, strict: bool, io: &mut Io<'_>) -> ExitCode {
    let warnings = report.warnings().count();
    if strict && warnings > 0 {
        let _ = writeln!(
            io.err,
            "error: --strict: the instrumentation audit found {warnings} warning(s)"
        );
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}
