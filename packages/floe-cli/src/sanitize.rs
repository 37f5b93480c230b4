//! `floe sanitize`: standard input to standard output through the sanitizer.

use std::io::{BufRead as _, Read as _, Write as _};
use std::process::ExitCode;

use floe_core::telemetry::{DEFAULT_MAX_LEN, sanitize_with_max_len};

/// Arguments of `floe sanitize`.
#[derive(Debug, clap::Args)]
pub(crate) struct SanitizeArgs {
    /// Read one JSON string per line and write one JSON string per line, so messages that
    /// span several lines round-trip.
    #[arg(long)]
    jsonl: bool,
    /// Character budget of each sanitized message.
    #[arg(long, default_value_t = DEFAULT_MAX_LEN)]
    max_len: usize,
}

pub(crate) fn run(args: &SanitizeArgs, io: &mut crate::Io<'_>) -> Result<ExitCode, String> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(&mut *io.out);
    if args.jsonl {
        for (index, line) in stdin.lock().lines().enumerate() {
            let line = line.map_err(|e| format!("reading standard input: {e}"))?;
            if line.trim().is_empty() {
                continue;
            }
            let message: String = serde_json::from_str(&line).map_err(|e| {
                format!("line {}: expected a JSON string ({})", index + 1, e.classify_name())
            })?;
            let clean = sanitize_with_max_len(&message, args.max_len);
            let encoded = serde_json::to_string(clean.as_str())
                .map_err(|e| format!("line {}: encoding the result: {e}", index + 1))?;
            writeln!(out, "{encoded}").map_err(|e| format!("writing standard output: {e}"))?;
        }
    } else {
        let mut text = String::new();
        stdin
            .lock()
            .read_to_string(&mut text)
            .map_err(|e| format!("reading standard input (is it UTF-8?): {e}"))?;
        let clean = sanitize_with_max_len(&text, args.max_len);
        write!(out, "{clean}").map_err(|e| format!("writing standard output: {e}"))?;
    }
    out.flush().map_err(|e| format!("writing standard output: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// A short name for a JSON error that does not repeat the input (which may be a secret).
trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "not a string",
            serde_json::error::Category::Eof => "unexpected end of line",
        }
    }
}
