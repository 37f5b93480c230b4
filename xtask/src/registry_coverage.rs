//! `cargo xtask registry-coverage [--format json] [--dir <path>]`: which spans and
//! attributes of the telemetry registry some test produced, per tracer and overall, from
//! the coverage records the testkit writes while the tests run.
//!
//! Like Weaver's `registry_coverage`, but a declared span no test produced is a failure:
//! the task exits 1 below 100 % of declared spans. Attribute and event coverage are
//! reported, not enforced (a conditionally required attribute may rightly never appear).
//!
//! **Records.** The format is fixed by the contract between the testkit and this task
//! (the testkit's capture writes them; this file only reads them): one `*.jsonl` file per
//! test process, one JSON object per line and per span a capture saw,
//! `{"tracer", "span", "status": "ok"|"error"|"unset", "attributes": [keys],
//! "events": [names], "test"}`. They are under `$FLOE_COVERAGE_DIR` if set, else
//! `<target dir>/floe-coverage/` (`$CARGO_TARGET_DIR`, else `<workspace>/target`);
//! `--dir` overrides both. The testkit writes them only for this workspace (its `floe`
//! feature) or on explicit opt-in (`FLOE_COVERAGE_DIR`), never during a fault-injection
//! run, and `scripts/test` empties the directory first, so a report reflects one run.
//! A line that is not such an object is an error naming the file and line.
//!
//! **Declared** are the pairs (tracer, span) of every registry span and every tracer its
//! `tracers` annotation names, and per pair the attributes the span refers to. A record
//! covers its pair, and the declared attributes it lists. A pair exempted from rule
//! `registry-coverage` in `exemptions.rs` is left out of the count and listed with its
//! reason: spans no Rust capture can see (the Dagster plugin's asset and I/O manager
//! spans, emitted by the Python code it generates and checked through an OTLP receiver).
//! Records of spans or tracers the registry does not declare (a test's own spans) are
//! listed as undeclared, and never count.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};

use crate::exemptions::operation_exemption;
use crate::registry::{self, Registry};

/// How many undeclared span names the text report shows per tracer.
const UNDECLARED_SHOWN: usize = 5;

#[cfg(test)]
mod tests;

/// The rule id exemptions name.
pub(crate) const RULE: &str = "registry-coverage";

/// One span a capture saw.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Record {
    /// The instrumentation scope name.
    pub(crate) tracer: String,
    /// The span name.
    pub(crate) span: String,
    /// `ok`, `error` or `unset`.
    pub(crate) status: Status,
    /// Attribute keys, sorted and unique.
    pub(crate) attributes: Vec<String>,
    /// Event names, sorted and unique.
    pub(crate) events: Vec<String>,
    /// The test (thread name).
    pub(crate) test: String,
}

/// A span's status.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    /// `Ok`.
    Ok,
    /// `Error`.
    Error,
    /// `Unset`.
    Unset,
}

/// Counts of spans with each status.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub(crate) struct Statuses {
    pub(crate) ok: usize,
    pub(crate) error: usize,
    pub(crate) unset: usize,
}

/// One declared attribute of one span.
#[derive(Debug, Serialize)]
pub(crate) struct AttributeCoverage {
    pub(crate) key: String,
    pub(crate) requirement: String,
    pub(crate) produced: bool,
}

/// One declared (tracer, span).
#[derive(Debug, Serialize)]
pub(crate) struct SpanCoverage {
    pub(crate) span: String,
    pub(crate) produced: bool,
    /// Why it is left out of the count, if exempt.
    pub(crate) exempt: Option<&'static str>,
    pub(crate) statuses: Statuses,
    /// The tests that produced it.
    pub(crate) tests: Vec<String>,
    pub(crate) attributes: Vec<AttributeCoverage>,
    /// Keys produced that the span does not declare (beyond the `floe.*` identity and the
    /// `error.type` every failure adds).
    pub(crate) undeclared_attributes: Vec<String>,
}

/// A fraction.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub(crate) struct Ratio {
    pub(crate) produced: usize,
    pub(crate) declared: usize,
}

impl Ratio {
    fn add(&mut self, produced: bool) {
        self.declared += 1;
        self.produced += usize::from(produced);
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        #[expect(clippy::cast_precision_loss, reason = "counts of registry entries are small")]
        let percent = if self.declared == 0 {
            100.0
        } else {
            self.produced as f64 * 100.0 / self.declared as f64
        };
        write!(f, "{}/{} ({percent:.1}%)", self.produced, self.declared)
    }
}

/// One tracer's spans.
#[derive(Debug, Serialize)]
pub(crate) struct TracerCoverage {
    pub(crate) tracer: String,
    pub(crate) spans: Ratio,
    pub(crate) attributes: Ratio,
    pub(crate) details: Vec<SpanCoverage>,
}

/// A span a record names that the registry does not declare for its tracer.
#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Undeclared {
    pub(crate) tracer: String,
    pub(crate) span: String,
}

/// The whole report.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    pub(crate) records: usize,
    pub(crate) files: usize,
    pub(crate) spans: Ratio,
    pub(crate) attributes: Ratio,
    pub(crate) events: Ratio,
    pub(crate) tracers: Vec<TracerCoverage>,
    pub(crate) undeclared: Vec<Undeclared>,
    /// Registry events no record holds.
    pub(crate) missing_events: Vec<String>,
}

impl Report {
    /// Declared (and not exempt) spans no test produced, as `(tracer, span)`.
    pub(crate) fn missing_spans(&self) -> Vec<(&str, &str)> {
        self.tracers
            .iter()
            .flat_map(|t| {
                t.details
                    .iter()
                    .filter(|s| !s.produced && s.exempt.is_none())
                    .map(move |s| (t.tracer.as_str(), s.span.as_str()))
            })
            .collect()
    }
}

/// The records of every `*.jsonl` file in `dir`, and how many files there were.
///
/// # Errors
/// When `dir` cannot be read, holds no record file, or a line is not a record.
pub(crate) fn load_records(dir: &Path) -> Result<(Vec<Record>, usize)> {
    let entries = std::fs::read_dir(dir).with_context(|| {
        format!(
            "reading coverage records in {}: run the tests first (scripts/test, or `cargo test` with FLOE_COVERAGE_DIR set)",
            dir.display()
        )
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        bail!("{} holds no coverage record (*.jsonl): run the tests first", dir.display());
    }
    let mut records = Vec::new();
    for path in &paths {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        for (index, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let record: Record = serde_json::from_str(line).with_context(|| {
                format!("{}:{}: not a coverage record", path.display(), index + 1)
            })?;
            records.push(record);
        }
    }
    Ok((records, paths.len()))
}

/// Attribute keys every span may carry without declaring them.
fn implicit(key: &str) -> bool {
    key.starts_with("floe.") || key == "error.type"
}

/// Merges `records` against `registry`; `exempt(tracer, span)` gives the reason a pair
/// is left out of the count.
pub(crate) fn report(
    registry: &Registry,
    records: &[Record],
    files: usize,
    exempt: impl Fn(&str, &str) -> Option<&'static str>,
) -> Report {
    let mut seen: BTreeMap<(&str, &str), Vec<&Record>> = BTreeMap::new();
    for record in records {
        seen.entry((record.tracer.as_str(), record.span.as_str())).or_default().push(record);
    }
    let mut by_tracer: BTreeMap<&str, Vec<&registry::Span>> = BTreeMap::new();
    for span in registry.spans.values() {
        for tracer in &span.tracers {
            by_tracer.entry(tracer.as_str()).or_default().push(span);
        }
    }
    let mut out = Report {
        records: records.len(),
        files,
        spans: Ratio::default(),
        attributes: Ratio::default(),
        events: Ratio::default(),
        tracers: Vec::new(),
        undeclared: Vec::new(),
        missing_events: Vec::new(),
    };
    for (tracer, spans) in by_tracer {
        let mut coverage = TracerCoverage {
            tracer: tracer.to_owned(),
            spans: Ratio::default(),
            attributes: Ratio::default(),
            details: Vec::new(),
        };
        for span in spans {
            let found =
                seen.get(&(tracer, span.name.as_str())).map(Vec::as_slice).unwrap_or_default();
            let produced_keys: BTreeSet<&str> =
                found.iter().flat_map(|r| r.attributes.iter().map(String::as_str)).collect();
            let exempt = exempt(tracer, &span.name);
            let detail = SpanCoverage {
                span: span.name.clone(),
                produced: !found.is_empty(),
                exempt,
                statuses: statuses(found),
                tests: found
                    .iter()
                    .map(|r| r.test.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                attributes: span
                    .attributes
                    .iter()
                    .map(|(key, requirement)| AttributeCoverage {
                        key: key.clone(),
                        requirement: requirement.clone(),
                        produced: produced_keys.contains(key.as_str()),
                    })
                    .collect(),
                undeclared_attributes: produced_keys
                    .iter()
                    .filter(|k| !implicit(k) && !span.attributes.iter().any(|(d, _)| d == *k))
                    .map(|k| (*k).to_owned())
                    .collect(),
            };
            if exempt.is_none() {
                coverage.spans.add(detail.produced);
                for attribute in &detail.attributes {
                    coverage.attributes.add(attribute.produced);
                }
            }
            coverage.details.push(detail);
        }
        out.spans.produced += coverage.spans.produced;
        out.spans.declared += coverage.spans.declared;
        out.attributes.produced += coverage.attributes.produced;
        out.attributes.declared += coverage.attributes.declared;
        out.tracers.push(coverage);
    }
    let declared: BTreeSet<(&str, &str)> = registry
        .spans
        .values()
        .flat_map(|s| s.tracers.iter().map(move |t| (t.as_str(), s.name.as_str())))
        .collect();
    out.undeclared = seen
        .keys()
        .filter(|pair| !declared.contains(pair))
        .map(|(tracer, span)| Undeclared { tracer: (*tracer).to_owned(), span: (*span).to_owned() })
        .collect();
    let events: BTreeSet<&str> =
        records.iter().flat_map(|r| r.events.iter().map(String::as_str)).collect();
    for name in registry.events.keys() {
        out.events.add(events.contains(name.as_str()));
        if !events.contains(name.as_str()) {
            out.missing_events.push(name.clone());
        }
    }
    out
}

fn statuses(records: &[&Record]) -> Statuses {
    let mut s = Statuses::default();
    for r in records {
        match r.status {
            Status::Ok => s.ok += 1,
            Status::Error => s.error += 1,
            Status::Unset => s.unset += 1,
        }
    }
    s
}

/// The report as text: per tracer its spans, then the totals and the verdict.
pub(crate) fn render(report: &Report, dir: &Path) -> String {
    let mut text = format!(
        "registry coverage from {} records in {} files under {}\n",
        report.records,
        report.files,
        dir.display()
    );
    for tracer in &report.tracers {
        let _ = writeln!(
            text,
            "{}: spans {}, attributes {}",
            tracer.tracer, tracer.spans, tracer.attributes
        );
        for span in &tracer.details {
            let missing: Vec<&str> =
                span.attributes.iter().filter(|a| !a.produced).map(|a| a.key.as_str()).collect();
            let line = match (span.produced, span.exempt) {
                (_, Some(reason)) => format!("exempt    {}: {reason}", span.span),
                (false, None) => format!("MISSING   {}: no test produced it", span.span),
                (true, None) => format!(
                    "produced  {} (ok {}, error {}, unset {}; {} tests){}",
                    span.span,
                    span.statuses.ok,
                    span.statuses.error,
                    span.statuses.unset,
                    span.tests.len(),
                    if missing.is_empty() {
                        String::new()
                    } else {
                        format!("; attributes never produced: {}", missing.join(", "))
                    }
                ),
            };
            let _ = writeln!(text, "  {line}");
        }
    }
    // Undeclared spans, per tracer: the testkit's own tests name spans freely (its stress
    // test alone names 64), so a tracer lists its first few names and a count.
    let mut by_tracer: std::collections::BTreeMap<&str, Vec<&str>> =
        std::collections::BTreeMap::new();
    for u in &report.undeclared {
        by_tracer.entry(u.tracer.as_str()).or_default().push(u.span.as_str());
    }
    for (tracer, spans) in by_tracer {
        let shown = spans.iter().take(UNDECLARED_SHOWN).copied().collect::<Vec<_>>().join(", ");
        let more = spans.len().saturating_sub(UNDECLARED_SHOWN);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        let _ = writeln!(
            text,
            "note: {} undeclared spans of tracer {tracer} (not counted): {shown}{more}",
            spans.len()
        );
    }
    if !report.missing_events.is_empty() {
        let _ =
            writeln!(text, "note: events no test produced: {}", report.missing_events.join(", "));
    }
    let _ = writeln!(
        text,
        "overall: spans {}, attributes {} (reported, not enforced), events {} (reported)",
        report.spans, report.attributes, report.events
    );
    let missing = report.missing_spans();
    if missing.is_empty() {
        let _ = writeln!(text, "registry-coverage: every declared span was produced");
    } else {
        let _ = writeln!(
            text,
            "registry-coverage: {} declared spans no test produced: {}",
            missing.len(),
            missing.iter().map(|(t, s)| format!("{s} ({t})")).collect::<Vec<_>>().join(", ")
        );
    }
    text
}

/// Where the records are by default (see the module docs).
fn default_dir(root: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("FLOE_COVERAGE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(|| root.join("target"), PathBuf::from);
    target.join("floe-coverage")
}

/// Runs the task and prints the report; returns whether every declared span was produced.
///
/// # Errors
/// On a bad argument, or when the registry or the records cannot be read.
pub(crate) fn run(root: &Path, args: &[String]) -> Result<bool> {
    let (text, passed) = output(root, args)?;
    std::io::stdout().lock().write_all(text.as_bytes()).context("writing the report")?;
    Ok(passed)
}

/// The report for `args`, and whether every declared span was produced.
fn output(root: &Path, args: &[String]) -> Result<(String, bool)> {
    const USAGE: &str = "usage: cargo xtask registry-coverage [--format text|json] [--dir <path>]";
    let mut json = false;
    let mut dir = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().map(String::as_str)) {
            ("--format", Some("json")) => json = true,
            ("--format", Some("text")) => json = false,
            ("--dir", Some(path)) => dir = Some(PathBuf::from(path)),
            _ => bail!(USAGE),
        }
    }
    let dir = dir.unwrap_or_else(|| default_dir(root));
    let registry = registry::load(&root.join(registry::REGISTRY_DIR))?;
    let (records, files) = load_records(&dir)?;
    let report = report(&registry, &records, files, |tracer, span| {
        operation_exemption(RULE, tracer, span, None).map(|e| e.reason)
    });
    let text = if json {
        serde_json::to_string_pretty(&report).context("writing the report")? + "\n"
    } else {
        render(&report, &dir)
    };
    Ok((text, report.missing_spans().is_empty()))
}
