//! `cargo xtask faults [-p PACKAGE]... [--fault NAME]... [--jobs N] [--format json]`: the
//! harness proving itself (issue 17 item 4). Each package's tracing tests
//! (`tests/it/tracing.rs`) and its contract row (`contract-tests`, module `<row>::`) run
//! under each telemetry fault (`FLOE_FAULT`, floe-telemetry's `fault` module); a cell is
//! *caught* when some test fails under the fault (and passes without it), *missed* when
//! every test passes. Exits 1 on a missed cell that `exemptions::FAULT_EXEMPTIONS` does not
//! exempt with a reason.
//!
//! - The packages are the workspace members under `plugins/` and `packages/` that have
//!   `tests/it/tracing.rs` (the 19 instrumented plugins and floe-iceberg; the telemetry
//!   backends have none by policy and are listed as such).
//! - One build: `cargo test --workspace --no-run` (the build `scripts/test` already made,
//!   so CI reuses it), then the test binaries run directly with `FLOE_FAULT` set; no fault
//!   needs a rebuild.
//! - A cell runs its tests one process each, by exact name, cheapest known first (the
//!   contract row first while nothing is known), and stops at the first failure: the
//!   matrix needs caught or missed, not every failure. A failing test is run once more
//!   without the fault (once per test per run): a test that fails anyway is a harness
//!   error, never a catch.
//! - `FLOE_FAULT_REPORT` tells a missed cell whose fault changed some span (`MISSED`) from
//!   one whose fault never applied in those tests (`MISSED*`: the tests never reach that
//!   path, e.g. no soft failure).
//! - Cells run `--jobs` at a time (default: the available cores).

mod cells;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use serde::Serialize;

use crate::exemptions::{FAULT_EXEMPTIONS, FaultExemption};

/// The `FLOE_FAULT` names, in issue 17's order (a) to (h); the same list as
/// floe-telemetry's `fault::NAMES` (a name it does not know fails every test with
/// `unknown FLOE_FAULT`, which this task reports as a harness error).
pub(crate) const FAULTS: [&str; 8] = [
    "ok-on-failure",
    "drop-soft-failure",
    "unset-success",
    "sanitizer-bypass",
    "drop-floe-attributes",
    "drop-category-attributes",
    "new-root",
    "rename-span",
];

const USAGE: &str =
    "usage: cargo xtask faults [-p PACKAGE]... [--fault NAME]... [--jobs N] [--format text|json]";

/// The command line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) packages: Vec<String>,
    pub(crate) faults: Vec<&'static str>,
    pub(crate) jobs: usize,
    pub(crate) json: bool,
}

pub(crate) fn parse_args(args: &[String]) -> Result<Options> {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let mut options =
        Options { packages: Vec::new(), faults: Vec::new(), jobs: cores, json: false };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = || rest.next().with_context(|| format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "-p" | "--package" => options.packages.push(value()?.clone()),
            "--fault" => {
                let name = value()?;
                let Some(fault) = FAULTS.iter().find(|f| *f == name) else {
                    bail!("unknown fault {name:?}: valid names are {}", FAULTS.join(", "));
                };
                options.faults.push(fault);
            }
            "--jobs" | "-j" => {
                let jobs = value()?;
                options.jobs = jobs
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .with_context(|| format!("--jobs {jobs:?} is not a positive number"))?;
            }
            "--format" => match value()?.as_str() {
                "json" => options.json = true,
                "text" => options.json = false,
                other => bail!("unknown format {other:?}\n{USAGE}"),
            },
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    if options.faults.is_empty() {
        options.faults = FAULTS.to_vec();
    }
    Ok(options)
}

/// A package whose tracing tests make a row of the matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Subject {
    /// The package (its directory's name).
    pub(crate) package: String,
    /// Its directory, relative to the workspace root.
    pub(crate) dir: PathBuf,
    /// Its contract row's module in contract-tests (`alert_slack`), if it has one.
    pub(crate) row: Option<String>,
}

/// The packages with tracing tests, sorted (plugins, then packages), and the plugins
/// without (the telemetry backends).
pub(crate) fn subjects(root: &Path) -> Result<(Vec<Subject>, Vec<String>)> {
    let mut subjects = Vec::new();
    let mut without = Vec::new();
    for parent in ["plugins", "packages"] {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join(parent))
            .with_context(|| format!("reading {parent}/"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("Cargo.toml").is_file())
            .collect();
        dirs.sort();
        for dir in dirs {
            let package =
                dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if !dir.join("tests/it/tracing.rs").is_file() {
                if parent == "plugins" {
                    without.push(package);
                }
                continue;
            }
            let row = package.strip_prefix("floe-").map(|name| name.replace('-', "_"));
            let row = row.filter(|row| {
                root.join("contract-tests/tests/it/rows").join(format!("{row}.rs")).is_file()
            });
            subjects.push(Subject {
                package,
                dir: PathBuf::from(parent).join(dir.file_name().unwrap_or_default()),
                row,
            });
        }
    }
    Ok((subjects, without))
}

/// How a cell ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    /// A test failed under the fault (and passes without it).
    Caught {
        /// The test that failed (`tracing::...` or `<row>::...`).
        by: String,
    },
    /// Every test passed.
    Missed {
        /// Whether the fault changed some span during these tests.
        triggered: bool,
    },
}

/// One cell of the matrix.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Cell {
    pub(crate) package: String,
    pub(crate) fault: &'static str,
    #[serde(flatten)]
    pub(crate) outcome: Outcome,
    /// Tests run under the fault.
    pub(crate) tests_run: usize,
    /// Of how many.
    pub(crate) tests: usize,
    pub(crate) seconds: f64,
    /// The exemption's reason, for a missed cell that has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) exempt: Option<&'static str>,
}

impl Cell {
    /// Whether this cell fails the task.
    pub(crate) fn is_gap(&self) -> bool {
        matches!(self.outcome, Outcome::Missed { .. }) && self.exempt.is_none()
    }

    fn mark(&self) -> &'static str {
        match (&self.outcome, self.exempt) {
            (Outcome::Caught { .. }, _) => "caught",
            (Outcome::Missed { .. }, Some(_)) => "exempt",
            (Outcome::Missed { triggered: true }, None) => "MISSED",
            (Outcome::Missed { triggered: false }, None) => "MISSED*",
        }
    }
}

/// The exemption for `package` under `fault`, if any.
pub(crate) fn exemption(package: &str, fault: &str) -> Option<&'static FaultExemption> {
    FAULT_EXEMPTIONS.iter().find(|e| e.package == package && e.fault == fault)
}

/// The matrix as text: one row per package, one column per fault, then the legend, the
/// gaps, the exemptions used, and the exemptions no longer needed.
pub(crate) fn render(cells: &[Cell], faults: &[&'static str], wall: Duration) -> String {
    let mut packages: Vec<&str> = Vec::new();
    for cell in cells {
        if !packages.contains(&cell.package.as_str()) {
            packages.push(&cell.package);
        }
    }
    let width = packages.iter().map(|p| p.len()).max().unwrap_or(7).max(7);
    let mut out = String::new();
    let _ = write!(out, "{:width$}", "package");
    for (i, _) in faults.iter().enumerate() {
        let _ = write!(out, " | {:^8}", format!("({})", letter(faults, i)));
    }
    out.push('\n');
    for package in &packages {
        let _ = write!(out, "{package:width$}");
        for fault in faults {
            let mark = cells
                .iter()
                .find(|c| c.package == *package && c.fault == *fault)
                .map_or("-", Cell::mark);
            let _ = write!(out, " | {mark:^8}");
        }
        out.push('\n');
    }
    out.push('\n');
    for (i, fault) in faults.iter().enumerate() {
        let _ = writeln!(out, "({}) {fault}", letter(faults, i));
    }
    out.push_str(
        "caught: a test failed under the fault; MISSED: every test passed although the fault \
         changed spans; MISSED*: every test passed and the fault never applied in them; \
         exempt: cannot be caught, see below\n",
    );
    let gaps: Vec<&Cell> = cells.iter().filter(|c| c.is_gap()).collect();
    if !gaps.is_empty() {
        out.push_str("\nmissed, not exempted (xtask/src/exemptions.rs FAULT_EXEMPTIONS):\n");
        for cell in gaps {
            let _ = writeln!(out, "  {} under {}: {}", cell.package, cell.fault, describe(cell));
        }
    }
    let exempted: Vec<&Cell> = cells.iter().filter(|c| c.exempt.is_some()).collect();
    if !exempted.is_empty() {
        out.push_str("\nexempt:\n");
        for cell in exempted {
            let _ = writeln!(
                out,
                "  {} under {}: {}",
                cell.package,
                cell.fault,
                cell.exempt.unwrap_or_default()
            );
        }
    }
    for e in FAULT_EXEMPTIONS {
        let caught = cells.iter().any(|c| {
            c.package == e.package
                && c.fault == e.fault
                && matches!(c.outcome, Outcome::Caught { .. })
        });
        if caught {
            let _ = writeln!(
                out,
                "note: exemption no longer needed: {} under {} is caught",
                e.package, e.fault
            );
        }
    }
    let _ = writeln!(
        out,
        "\nfaults: {} cells, {} caught, {} exempt, {} missed; wall time {:.0} s",
        cells.len(),
        cells.iter().filter(|c| matches!(c.outcome, Outcome::Caught { .. })).count(),
        cells.iter().filter(|c| c.exempt.is_some()).count(),
        cells.iter().filter(|c| c.is_gap()).count(),
        wall.as_secs_f64()
    );
    out
}

fn describe(cell: &Cell) -> String {
    match cell.outcome {
        Outcome::Missed { triggered: true } => format!(
            "all {} tests passed although the fault changed spans: a test should assert what it changes",
            cell.tests
        ),
        Outcome::Missed { triggered: false } => format!(
            "all {} tests passed and the fault never applied: no test drives the plugin where it would",
            cell.tests
        ),
        Outcome::Caught { .. } => String::new(),
    }
}

/// `a` for the first of the eight faults, and so on, whatever subset is shown.
fn letter(faults: &[&str], index: usize) -> char {
    let position = FAULTS.iter().position(|f| *f == faults[index]).unwrap_or(index);
    char::from(b'a' + u8::try_from(position).unwrap_or(0))
}

#[derive(Debug, Serialize)]
struct JsonReport<'a> {
    faults: &'a [&'static str],
    cells: &'a [Cell],
    without_tracing_tests: &'a [String],
    wall_seconds: f64,
}

/// Runs the matrix for the workspace at `root`; returns whether no cell is a gap.
///
/// # Errors
/// On a bad argument, a failed build, a test that fails without a fault, or a fault name
/// the test binaries do not know.
pub(crate) fn run(root: &Path, args: &[String]) -> Result<bool> {
    let started = Instant::now();
    let options = parse_args(args)?;
    let (mut subjects, without) = subjects(root)?;
    if !options.packages.is_empty() {
        for package in &options.packages {
            if !subjects.iter().any(|s| &s.package == package) {
                bail!(
                    "{package} has no tests/it/tracing.rs (packages with one: {})",
                    subjects.iter().map(|s| s.package.as_str()).collect::<Vec<_>>().join(", ")
                );
            }
        }
        subjects.retain(|s| options.packages.contains(&s.package));
    }
    let built = crate::testbins::build(root, "faults")?;
    let plan = cells::plan(root, &built, &subjects, &options.faults)?;
    let cells = cells::run_all(&plan, &built, options.jobs)?;
    let wall = started.elapsed();
    let mut stdout = std::io::stdout().lock();
    if options.json {
        let report = JsonReport {
            faults: &options.faults,
            cells: &cells,
            without_tracing_tests: &without,
            wall_seconds: wall.as_secs_f64(),
        };
        serde_json::to_writer_pretty(&mut stdout, &report).context("writing the report")?;
        writeln!(stdout).context("writing the report")?;
    } else {
        let mut text = render(&cells, &options.faults, wall);
        for package in &without {
            let _ = writeln!(
                text,
                "note: {package}: no tracing tests (telemetry backend, excluded by policy)"
            );
        }
        stdout.write_all(text.as_bytes()).context("writing the report")?;
    }
    Ok(!cells.iter().any(Cell::is_gap))
}
