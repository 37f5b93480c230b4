//! Running the cells: each test alone, by exact name, in its own process, with
//! `FLOE_FAULT` set; a cell stops at its first failing test, which is then run once
//! without the fault to make sure the fault is what failed it. A cell starts with the test
//! that caught it in the last run (kept in `<target>/floe-faults-catchers.tsv`), then the
//! others, fastest first.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

use super::{Cell, Outcome, Subject, exemption};
use crate::testbins::Built;

/// A test process left running this long counts as failed (a fault that makes a test hang
/// is a fault it noticed, though not by an assertion).
const TEST_TIMEOUT: Duration = Duration::from_mins(5);

/// What the test binaries print when `FLOE_FAULT` names no fault they know.
const UNKNOWN_FAULT: &str = "unknown FLOE_FAULT";

/// One test, run by exact name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Test {
    pub(crate) binary: PathBuf,
    /// The package directory, the working directory `cargo test` would give it.
    pub(crate) cwd: PathBuf,
    pub(crate) name: String,
}

/// A package under one fault, with the tests that may catch it.
#[derive(Debug)]
pub(crate) struct PlannedCell {
    pub(crate) package: String,
    pub(crate) fault: &'static str,
    /// The contract row's tests first, then the tracing tests.
    pub(crate) tests: Vec<Test>,
}

/// Lists the tests of each subject and pairs them with each fault (package-major, so one
/// package's cells learn each other's test durations).
pub(crate) fn plan(
    root: &Path,
    built: &Built,
    subjects: &[Subject],
    faults: &[&'static str],
) -> Result<Vec<PlannedCell>> {
    let contract_dir = root.join("contract-tests");
    let contract = built.it_binary(&contract_dir)?.path.as_path();
    let contract_tests = list(contract, &contract_dir, built)?;
    let mut cells = Vec::new();
    for subject in subjects {
        let dir = root.join(&subject.dir);
        let binary = built.it_binary(&dir)?.path.as_path();
        let mut tests = Vec::new();
        if let Some(row) = &subject.row {
            let prefix = format!("{row}::");
            tests.extend(contract_tests.iter().filter(|n| n.starts_with(&prefix)).map(|name| {
                Test {
                    binary: contract.to_path_buf(),
                    cwd: contract_dir.clone(),
                    name: name.clone(),
                }
            }));
            if tests.is_empty() {
                bail!("contract-tests has no test under {prefix} for {}", subject.package);
            }
        }
        let tracing: Vec<Test> = list(binary, &dir, built)?
            .into_iter()
            .filter(|n| n.starts_with("tracing::"))
            .map(|name| Test { binary: binary.to_path_buf(), cwd: dir.clone(), name })
            .collect();
        if tracing.is_empty() {
            bail!("{}: its it binary lists no tracing:: test", subject.package);
        }
        tests.extend(tracing);
        for fault in faults {
            cells.push(PlannedCell {
                package: subject.package.clone(),
                fault,
                tests: tests.clone(),
            });
        }
    }
    Ok(cells)
}

/// The test names of a test binary (`--list --format terse`).
fn list(binary: &Path, cwd: &Path, built: &Built) -> Result<Vec<String>> {
    let output = Command::new(binary)
        .args(["--list", "--format", "terse"])
        .current_dir(cwd)
        .env("LD_LIBRARY_PATH", built.ld_library_path())
        .output()
        .with_context(|| format!("listing the tests of {}", binary.display()))?;
    if !output.status.success() {
        bail!("{} --list failed: {}", binary.display(), String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect())
}

/// What the runs so far learned, shared by the workers.
#[derive(Debug, Default)]
struct Knowledge {
    /// How long each test took (the last run).
    durations: HashMap<Test, Duration>,
    /// Whether each test passes without a fault (asked only of tests that failed under one).
    passes_clean: HashMap<Test, bool>,
    /// The test that caught each cell in the last run.
    catchers: Catchers,
}

/// Runs every cell, `jobs` at a time; the cells come back in plan order.
pub(crate) fn run_all(plan: &[PlannedCell], built: &Built, jobs: usize) -> Result<Vec<Cell>> {
    let scratch = built.target_dir.join("floe-faults");
    std::fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let catchers_file = built.target_dir.join("floe-faults-catchers.tsv");
    let queue: Mutex<VecDeque<usize>> = Mutex::new((0..plan.len()).collect());
    let knowledge =
        Mutex::new(Knowledge { catchers: read_catchers(&catchers_file), ..Knowledge::default() });
    let results: Mutex<Vec<Option<Result<Cell>>>> =
        Mutex::new((0..plan.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(plan.len()).max(1) {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().unwrap_or_else(PoisonError::into_inner).pop_front();
                    let Some(index) = next else { break };
                    let cell = run_cell(&plan[index], index, built, &scratch, &knowledge);
                    if let Ok(cell) = &cell {
                        eprintln!(
                            "faults: {} under {}: {} ({} of {} tests, {:.1} s)",
                            cell.package,
                            cell.fault,
                            match &cell.outcome {
                                Outcome::Caught { by } => format!("caught by {by}"),
                                Outcome::Missed { triggered } => {
                                    format!("missed (fault applied: {triggered})")
                                }
                            },
                            cell.tests_run,
                            cell.tests,
                            cell.seconds
                        );
                    }
                    results.lock().unwrap_or_else(PoisonError::into_inner)[index] = Some(cell);
                }
            });
        }
    });
    let cells: Result<Vec<Cell>> = results
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .map(|cell| cell.unwrap_or_else(|| Err(anyhow::anyhow!("a cell never ran"))))
        .collect();
    let cells = cells?;
    let mut catchers = knowledge.into_inner().unwrap_or_else(PoisonError::into_inner).catchers;
    for cell in &cells {
        let key = (cell.package.clone(), cell.fault.to_owned());
        match &cell.outcome {
            Outcome::Caught { by } => catchers.insert(key, by.clone()),
            Outcome::Missed { .. } => catchers.remove(&key),
        };
    }
    write_catchers(&catchers_file, &catchers);
    Ok(cells)
}

/// `(package, fault)` → the test that caught that cell.
pub(crate) type Catchers = HashMap<(String, String), String>;

pub(crate) fn read_catchers(path: &Path) -> Catchers {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let mut fields = line.splitn(3, '\t');
            let (package, fault, test) = (fields.next()?, fields.next()?, fields.next()?);
            Some(((package.to_owned(), fault.to_owned()), test.to_owned()))
        })
        .collect()
}

/// Keeps the catchers of cells that did not run this time (other packages' or faults').
pub(crate) fn write_catchers(path: &Path, catchers: &Catchers) {
    let mut lines: Vec<String> = catchers
        .iter()
        .map(|((package, fault), test)| format!("{package}\t{fault}\t{test}\n"))
        .collect();
    lines.sort();
    let _ = std::fs::write(path, lines.concat());
}

fn run_cell(
    cell: &PlannedCell,
    index: usize,
    built: &Built,
    scratch: &Path,
    knowledge: &Mutex<Knowledge>,
) -> Result<Cell> {
    let started = Instant::now();
    let report = scratch.join(format!("{index}-{}-{}.applied", cell.package, cell.fault));
    let _ = std::fs::remove_file(&report);
    let order = {
        let known = knowledge.lock().unwrap_or_else(PoisonError::into_inner);
        let last = known.catchers.get(&(cell.package.clone(), cell.fault.to_owned()));
        last_catcher_first(cheapest_first(&cell.tests, &known.durations), last.map(String::as_str))
    };
    let mut tests_run = 0;
    let mut outcome = None;
    for test in order {
        tests_run += 1;
        let run = run_test(test, Some((cell.fault, &report)), built, scratch)?;
        let mut known = knowledge.lock().unwrap_or_else(PoisonError::into_inner);
        known.durations.insert(test.clone(), run.elapsed);
        drop(known);
        if run.passed {
            continue;
        }
        if run.output.contains(UNKNOWN_FAULT) {
            bail!("the test binaries do not know fault {:?}:\n{}", cell.fault, run.output);
        }
        let known = knowledge
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .passes_clean
            .get(test)
            .copied();
        let clean = if let Some(clean) = known {
            clean
        } else {
            let passed = run_test(test, None, built, scratch)?.passed;
            let mut known = knowledge.lock().unwrap_or_else(PoisonError::into_inner);
            known.passes_clean.insert(test.clone(), passed);
            passed
        };
        if !clean {
            bail!(
                "{} fails without a fault too; fix it before reading the fault matrix:\n{}",
                test.name,
                run.output
            );
        }
        outcome = Some(Outcome::Caught { by: test.name.clone() });
        break;
    }
    let outcome = outcome.unwrap_or_else(|| Outcome::Missed {
        triggered: std::fs::metadata(&report).is_ok_and(|m| m.len() > 0),
    });
    let exempt = match outcome {
        Outcome::Missed { .. } => exemption(&cell.package, cell.fault).map(|e| e.reason),
        Outcome::Caught { .. } => None,
    };
    Ok(Cell {
        package: cell.package.clone(),
        fault: cell.fault,
        outcome,
        tests_run,
        tests: cell.tests.len(),
        seconds: started.elapsed().as_secs_f64(),
        exempt,
    })
}

/// `order` with the test named `last` (the cell's catcher in the last run) moved first.
pub(crate) fn last_catcher_first<'a>(
    mut order: Vec<&'a Test>,
    last: Option<&str>,
) -> Vec<&'a Test> {
    if let Some(position) = order.iter().position(|t| Some(t.name.as_str()) == last) {
        let test = order.remove(position);
        order.insert(0, test);
    }
    order
}

/// Tests with a known duration first, fastest first; the others after, in plan order.
pub(crate) fn cheapest_first<'a>(
    tests: &'a [Test],
    durations: &HashMap<Test, Duration>,
) -> Vec<&'a Test> {
    let mut order: Vec<&Test> = tests.iter().collect();
    order.sort_by_key(|t| durations.get(*t).copied().unwrap_or(Duration::MAX));
    order
}

/// One test process.
struct Run {
    passed: bool,
    elapsed: Duration,
    /// Its output, read only when it failed.
    output: String,
}

fn run_test(
    test: &Test,
    fault: Option<(&str, &Path)>,
    built: &Built,
    scratch: &Path,
) -> Result<Run> {
    let log = tempfile_in(scratch)?;
    let mut command = Command::new(&test.binary);
    command
        .args([test.name.as_str(), "--exact", "--test-threads", "1"])
        .current_dir(&test.cwd)
        .env("LD_LIBRARY_PATH", built.ld_library_path())
        .env("CARGO_MANIFEST_DIR", &test.cwd)
        // A mismatching snapshot fails the test without writing a `.snap.new` beside it.
        .env("INSTA_UPDATE", "no")
        .env_remove("INSTA_FORCE_PASS")
        // Failure traces of fault runs go to the scratch directory, not `floe-traces/`.
        .env("CARGO_TARGET_DIR", scratch)
        .env("RUST_BACKTRACE", "0")
        .env_remove("FLOE_FAULT")
        .env_remove("FLOE_FAULT_REPORT")
        .stdin(Stdio::null())
        .stdout(Stdio::from(log.1.try_clone().context("a log file")?))
        .stderr(Stdio::from(log.1.try_clone().context("a log file")?));
    if let Some((fault, report)) = fault {
        command.env("FLOE_FAULT", fault).env("FLOE_FAULT_REPORT", report);
    }
    let started = Instant::now();
    let mut child =
        command.spawn().with_context(|| format!("running {}", test.binary.display()))?;
    let status = loop {
        if let Some(status) = child.try_wait().context("waiting for a test")? {
            break Some(status);
        }
        if started.elapsed() > TEST_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let passed = status.is_some_and(|s| s.success());
    let output = if passed {
        String::new()
    } else {
        let logged = std::fs::read_to_string(&log.0).unwrap_or_default();
        match status {
            Some(_) => logged,
            None => format!("{logged}\n(killed after {} s)", TEST_TIMEOUT.as_secs()),
        }
    };
    let _ = std::fs::remove_file(&log.0);
    Ok(Run { passed, elapsed, output })
}

/// A fresh log file in `dir`.
fn tempfile_in(dir: &Path) -> Result<(PathBuf, File)> {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = dir.join(format!("test-{}-{n}.log", std::process::id()));
    let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    Ok((path, file))
}
