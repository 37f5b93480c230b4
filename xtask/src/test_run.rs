//! `cargo xtask test [-p PACKAGE]... [--jobs N] [--test-threads N] [--partition slice:M/N]
//! [-- <test binary args>]`: every test of the workspace, the test binaries run side by
//! side (README's test command runs this).
//!
//! `cargo test` runs its test binaries one after another; most of ours wait on peers
//! (dbt, Dagster, Great Expectations, Node, Alertmanager), so that order leaves the cores
//! idle. This task builds once (`cargo test --workspace --no-run`), then runs `--jobs`
//! binaries at a time (default 3, or `FLOE_TEST_JOBS`), each one whole process with its
//! tests on threads as `cargo test` runs it — so a peer a binary starts once is still
//! started once, and the capture isolation under many threads is still what is tested.
//! The doctests (`cargo test --workspace --doc`) are one more job.
//!
//! - Each binary runs its tests on `--test-threads` threads (default 8, or
//!   `FLOE_TEST_THREADS`; libtest's own default, one per core, when `RUST_TEST_THREADS` is
//!   set or the binary arguments name `--test-threads`): most tests wait on a peer or on a
//!   plugin's timeout, and threads that wait leave the cores to the others.
//! - Longest first: each binary's wall time is kept in `<target>/floe-test-times.tsv` and
//!   the next run starts the longest ones first (unknown ones first of all, biggest first).
//! - Snapshots as `cargo insta test --check --unreferenced=reject`: `INSTA_UPDATE=no` (a
//!   changed or missing snapshot fails its test, nothing is written) and every `.snap`
//!   under a workspace package or `snapshots/` that no test read fails the run.
//! - `--partition slice:M/N` runs the M-th of N slices of the binaries (sorted by name), for
//!   a team that splits CI across machines; slice 1 also runs the doctests, and the
//!   unreferenced-snapshot check runs only when nothing is sliced (one slice cannot know
//!   what the others read).
//! - `-p PACKAGE` runs only that package's binaries (and no doctests, no unreferenced check).
//! - Output: a passing binary prints its `test result` lines, a failing one all it printed;
//!   then the wall time of each binary, longest first, with its CPU time (the binary's and
//!   that of the peers and processes it started and waited for, read from Linux's `/proc`
//!   as it exits: on a machine of two cores, the sum of the CPU column over the wall time
//!   tells whether running more binaries at once can help), and how the machine's CPUs
//!   spent the run (busy, idle, and stolen by the hypervisor on a virtual machine: a sign
//!   that the host was loaded, which makes every CPU figure of the run larger). Exit 1 on
//!   any failure.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

use crate::testbins::{self, Built, TestBinary};

const USAGE: &str = "usage: cargo xtask test [-p PACKAGE]... [--jobs N] [--test-threads N] \
                     [--partition slice:M/N] [-- <test binary args>]";

/// Test threads per binary unless told otherwise (`--test-threads`, `FLOE_TEST_THREADS`,
/// libtest's own `RUST_TEST_THREADS`, or `--test-threads` after `--`). libtest's default
/// is one per core, and most of our tests wait (on a peer, or on a plugin's timeout while
/// a hostile peer stalls): the contract suite alone took 175 s with 2 threads and 80 s
/// with 8 on this 2-core machine, its CPU time falling from 183 s to 140 s.
const DEFAULT_TEST_THREADS: usize = 8;

/// The command line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) jobs: usize,
    /// `--test-threads` given to each test binary (`None`: libtest decides, because
    /// `RUST_TEST_THREADS` is set or the binary arguments name their own).
    pub(crate) test_threads: Option<usize>,
    /// `(m, n)`: run the m-th (1-based) of n slices.
    pub(crate) partition: Option<(usize, usize)>,
    /// Only these packages' binaries (all when empty).
    pub(crate) packages: Vec<String>,
    /// Passed to every test binary (a filter, `--nocapture`).
    pub(crate) binary_args: Vec<String>,
}

/// The environment `parse_args` reads.
#[derive(Debug, Default)]
pub(crate) struct Env<'a> {
    /// `FLOE_TEST_JOBS`.
    pub(crate) jobs: Option<&'a str>,
    /// `FLOE_TEST_THREADS`.
    pub(crate) threads: Option<&'a str>,
    /// Whether `RUST_TEST_THREADS` is set.
    pub(crate) rust_test_threads: bool,
}

pub(crate) fn parse_args(args: &[String], env: &Env<'_>) -> Result<Options> {
    let default_jobs = match env.jobs {
        Some(value) => parse_count(value).context("FLOE_TEST_JOBS")?,
        None => 3,
    };
    let default_threads = match env.threads {
        Some(value) => Some(parse_count(value).context("FLOE_TEST_THREADS")?),
        None if env.rust_test_threads => None,
        None => Some(DEFAULT_TEST_THREADS),
    };
    let mut options = Options {
        jobs: default_jobs,
        test_threads: default_threads,
        partition: None,
        packages: Vec::new(),
        binary_args: Vec::new(),
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = || rest.next().with_context(|| format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "-j" | "--jobs" => options.jobs = parse_count(value()?).context("--jobs")?,
            "--test-threads" => {
                options.test_threads = Some(parse_count(value()?).context("--test-threads")?);
            }
            "--partition" => options.partition = Some(parse_partition(value()?)?),
            "-p" | "--package" => options.packages.push(value()?.clone()),
            "--" => {
                options.binary_args = rest.by_ref().cloned().collect();
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    if options.binary_args.iter().any(|a| a.starts_with("--test-threads")) {
        options.test_threads = None;
    }
    Ok(options)
}

fn parse_count(value: &str) -> Result<usize> {
    match value.parse::<usize>() {
        Ok(jobs) if jobs > 0 => Ok(jobs),
        _ => bail!("takes a whole number above 0, not {value:?}"),
    }
}

fn parse_partition(value: &str) -> Result<(usize, usize)> {
    let parsed = value.strip_prefix("slice:").and_then(|rest| {
        let (m, n) = rest.split_once('/')?;
        Some((m.parse::<usize>().ok()?, n.parse::<usize>().ok()?))
    });
    match parsed {
        Some((m, n)) if n > 0 && (1..=n).contains(&m) => Ok((m, n)),
        _ => bail!("--partition takes slice:M/N with 1 <= M <= N, not {value:?}"),
    }
}

/// One job: a test binary, or the doctests.
#[derive(Debug, Clone)]
enum Job {
    Binary(TestBinary),
    Doc,
}

impl Job {
    fn label(&self) -> String {
        match self {
            Self::Binary(binary) => binary.label(),
            Self::Doc => "doctests".to_owned(),
        }
    }
}

/// What one job did.
#[derive(Debug)]
struct Outcome {
    label: String,
    passed: bool,
    elapsed: Duration,
    /// CPU seconds of the job's process and the children it waited for (Linux's `/proc`).
    cpu: Option<f64>,
}

pub(crate) fn run(root: &Path, args: &[String]) -> Result<bool> {
    let jobs = std::env::var("FLOE_TEST_JOBS").ok();
    let threads = std::env::var("FLOE_TEST_THREADS").ok();
    let env = Env {
        jobs: jobs.as_deref(),
        threads: threads.as_deref(),
        rust_test_threads: std::env::var_os("RUST_TEST_THREADS").is_some(),
    };
    let options = parse_args(args, &env)?;
    let started = Instant::now();
    let machine_before = machine_ticks();
    let built = testbins::build(root, "test")?;
    let times_file = built.target_dir.join("floe-test-times.tsv");
    let known = read_times(&times_file);
    let mut queue: Vec<Job> = built.binaries.iter().cloned().map(Job::Binary).collect();
    if !options.packages.is_empty() {
        for package in &options.packages {
            if !built.binaries.iter().any(|b| &b.package == package) {
                bail!("{package} is no workspace package with tests");
            }
        }
        queue.retain(|job| matches!(job, Job::Binary(b) if options.packages.contains(&b.package)));
    }
    queue.sort_by_key(Job::label);
    if let Some((m, n)) = options.partition {
        queue =
            queue.into_iter().enumerate().filter(|(i, _)| i % n == m - 1).map(|(_, j)| j).collect();
    }
    let whole = options.packages.is_empty() && options.binary_args.is_empty();
    if whole && options.partition.is_none_or(|(m, _)| m == 1) {
        queue.push(Job::Doc);
    }
    order_longest_first(&mut queue, &known);
    let references = built.target_dir.join(format!("floe-snapshot-refs-{}", std::process::id()));
    let _ = std::fs::remove_file(&references);
    let logs = built.target_dir.join("floe-test-logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    eprintln!(
        "test: {} jobs, {} at a time, {}",
        queue.len(),
        options.jobs,
        options.test_threads.map_or_else(
            || "test threads as libtest decides".to_owned(),
            |t| format!("{t} test threads each")
        )
    );
    let context =
        Context { root, built: &built, options: &options, references: &references, logs: &logs };
    let outcomes = run_queue(&context, queue)?;
    let mut passed = outcomes.iter().all(|o| o.passed);
    write_times(&times_file, &known, &outcomes);
    if passed && whole && options.partition.is_none() {
        passed = check_unreferenced(root, &references)?;
    }
    let _ = std::fs::remove_file(&references);
    let mut text = summary(&outcomes, started.elapsed());
    if let (Some(before), Some(after)) = (machine_before, machine_ticks()) {
        text.push_str(&machine_line(&before, &after));
    }
    emit(&text);
    Ok(passed)
}

/// The machine's CPU time since boot, from the `cpu` line of Linux's `/proc/stat`, in
/// clock ticks: busy (user, nice, system, irq, softirq), idle (idle, iowait), and steal,
/// the time a virtual machine's CPUs were ready to run and the hypervisor ran something
/// else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MachineTicks {
    busy: u64,
    idle: u64,
    steal: u64,
}

fn machine_ticks() -> Option<MachineTicks> {
    parse_machine_ticks(&std::fs::read_to_string("/proc/stat").ok()?)
}

fn parse_machine_ticks(stat: &str) -> Option<MachineTicks> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let fields: Vec<u64> =
        line.split_whitespace().skip(1).map(str::parse).collect::<Result<_, _>>().ok()?;
    let field = |i: usize| fields.get(i).copied();
    Some(MachineTicks {
        busy: field(0)? + field(1)? + field(2)? + field(5)? + field(6)?,
        idle: field(3)? + field(4)?,
        steal: field(7)?,
    })
}

/// How the machine's CPUs spent the run. Stolen time means the host was running others
/// beside this machine; a run's CPU times grow with the host's load too (a CPU that shares
/// its physical core gets less done per second), so a CPU column that grew along with the
/// stolen share points to the host rather than to the code.
fn machine_line(before: &MachineTicks, after: &MachineTicks) -> String {
    let busy = after.busy.saturating_sub(before.busy);
    let idle = after.idle.saturating_sub(before.idle);
    let steal = after.steal.saturating_sub(before.steal);
    let total = (busy + idle + steal).max(1);
    #[expect(clippy::cast_precision_loss, reason = "tick counts far below 2^52")]
    let share = |ticks: u64| 100.0 * ticks as f64 / total as f64;
    format!(
        "test: the machine's CPUs meanwhile {:.0} % busy, {:.0} % idle, {:.0} % stolen by the \
         hypervisor (/proc/stat)\n",
        share(busy),
        share(idle),
        share(steal)
    )
}

/// What every job needs.
struct Context<'a> {
    root: &'a Path,
    built: &'a Built,
    options: &'a Options,
    references: &'a Path,
    logs: &'a Path,
}

/// Runs the jobs, `options.jobs` at a time, printing each one's output as it ends.
fn run_queue(context: &Context<'_>, queue: Vec<Job>) -> Result<Vec<Outcome>> {
    let queue = Mutex::new(queue.into_iter());
    let outcomes = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for worker in 0..context.options.jobs {
            let (queue, outcomes, errors) = (&queue, &outcomes, &errors);
            scope.spawn(move || {
                loop {
                    let next =
                        queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).next();
                    let Some(job) = next else { break };
                    match run_job(context, &job, worker) {
                        Ok(outcome) => outcomes
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .push(outcome),
                        Err(error) => errors
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .push(format!("{}: {error:#}", job.label())),
                    }
                }
            });
        }
    });
    let errors = errors.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !errors.is_empty() {
        bail!("could not run every test binary:\n{}", errors.join("\n"));
    }
    Ok(outcomes.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner))
}

fn run_job(context: &Context<'_>, job: &Job, worker: usize) -> Result<Outcome> {
    let label = job.label();
    let log_path = context.logs.join(format!("{}.log", label.replace([' ', '/'], "_")));
    let log =
        File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
    let mut command = match job {
        Job::Binary(binary) => {
            let mut command = binary.command(context.built);
            if let Some(threads) = context.options.test_threads {
                command.arg(format!("--test-threads={threads}"));
            }
            command.args(&context.options.binary_args);
            command
        }
        Job::Doc => {
            let mut command = crate::cargo_cmd::cargo();
            command
                .args(["test", "--workspace", "--doc"])
                .current_dir(context.root)
                .stdin(Stdio::null());
            command
        }
    };
    command
        .env("INSTA_UPDATE", "no")
        .env_remove("INSTA_FORCE_PASS")
        .env("INSTA_SNAPSHOT_REFERENCES_FILE", context.references)
        .stdout(Stdio::from(log.try_clone().context("a log file")?))
        .stderr(Stdio::from(log));
    let started = Instant::now();
    let mut child = command.spawn().with_context(|| format!("running {label}"))?;
    let cpu = cpu_at_exit(child.id());
    let status = child.wait().with_context(|| format!("running {label}"))?;
    let elapsed = started.elapsed();
    let output = std::fs::read_to_string(&log_path).unwrap_or_default();
    let passed = status.success();
    let mut text = format!(
        "\n== {label}: {} in {:.1} s{} (worker {worker})\n",
        if passed { "ok" } else { "FAILED" },
        elapsed.as_secs_f64(),
        cpu.map_or_else(String::new, |cpu| format!(", {cpu:.1} s CPU"))
    );
    if passed {
        for line in output.lines().filter(|l| l.starts_with("test result:")) {
            let _ = writeln!(text, "{line}");
        }
    } else {
        text.push_str(&output);
        let _ = writeln!(text, "({status}; log: {})", log_path.display());
    }
    emit(&text);
    Ok(Outcome { label, passed, elapsed, cpu })
}

/// Linux reports times in `/proc` in clock ticks of 100 per second (`USER_HZ`, fixed by
/// the kernel's ABI on every architecture it runs on).
const TICKS_PER_SECOND: f64 = 100.0;

/// Waits until process `pid` has exited (without reaping it: a zombie keeps its
/// `/proc/<pid>/stat`), then returns the CPU time it and the children it waited for used:
/// the test binary and the peers and Python processes it started. `None` where there is
/// no `/proc` (the job is then still waited for by the caller).
fn cpu_at_exit(pid: u32) -> Option<f64> {
    let path = format!("/proc/{pid}/stat");
    loop {
        let stat = std::fs::read_to_string(&path).ok()?;
        let (state, times) = parse_stat(&stat)?;
        if state == 'Z' {
            return Some(times);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The state and `utime + stime + cutime + cstime` (seconds) of a `/proc/<pid>/stat` line.
/// The command name (field 2) is in parentheses and may hold spaces or parentheses, so
/// fields are counted after its last `)`.
fn parse_stat(stat: &str) -> Option<(char, f64)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3 (index 0 here); utime..cstime are fields 14..17.
    let state = fields.first()?.chars().next()?;
    let ticks = fields.get(11..15)?.iter().map(|f| f.parse::<u64>().ok()).sum::<Option<u64>>()?;
    #[expect(clippy::cast_precision_loss, reason = "tick counts are far below 2^52")]
    let seconds = ticks as f64 / TICKS_PER_SECOND;
    Some((state, seconds))
}

/// The jobs with a known wall time longest first; unknown ones before them, biggest
/// executable first (the doctests count as unknown until measured).
fn order_longest_first(queue: &mut [Job], known: &HashMap<String, f64>) {
    let size = |job: &Job| match job {
        Job::Binary(binary) => std::fs::metadata(&binary.path).map_or(0, |m| m.len()),
        Job::Doc => u64::MAX,
    };
    queue.sort_by(|a, b| {
        let (ka, kb) = (known.get(&a.label()), known.get(&b.label()));
        match (ka, kb) {
            (None, None) => size(b).cmp(&size(a)),
            (None, Some(_)) => std::cmp::Ordering::Less,
            (Some(_), None) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => y.total_cmp(x),
        }
    });
}

fn read_times(path: &Path) -> HashMap<String, f64> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let (label, seconds) = line.rsplit_once('\t')?;
            Some((label.to_owned(), seconds.parse().ok()?))
        })
        .collect()
}

/// Keeps the times of jobs that did not run this time (another slice's).
fn write_times(path: &Path, known: &HashMap<String, f64>, outcomes: &[Outcome]) {
    let mut times = known.clone();
    for outcome in outcomes {
        times.insert(outcome.label.clone(), outcome.elapsed.as_secs_f64());
    }
    let mut lines: Vec<String> =
        times.iter().map(|(label, seconds)| format!("{label}\t{seconds:.2}")).collect();
    lines.sort();
    let _ = std::fs::write(path, lines.join("\n") + "\n");
}

/// Every `.snap` under the workspace's packages and `snapshots/` that no test read fails.
fn check_unreferenced(root: &Path, references: &Path) -> Result<bool> {
    let read: BTreeSet<PathBuf> = std::fs::read_to_string(references)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| std::fs::canonicalize(line).ok())
        .collect();
    let metadata = cargo_metadata::MetadataCommand::new()
        .current_dir(root)
        .no_deps()
        .exec()
        .context("reading the workspace with cargo metadata")?;
    let mut dirs: Vec<PathBuf> = metadata
        .workspace_packages()
        .iter()
        .filter_map(|p| p.manifest_path.parent().map(|d| d.as_std_path().to_path_buf()))
        .collect();
    dirs.push(root.join("snapshots"));
    let mut snapshots = BTreeSet::new();
    for dir in dirs {
        collect_snapshots(&dir, &mut snapshots);
    }
    let unreferenced: Vec<&PathBuf> = snapshots.iter().filter(|s| !read.contains(*s)).collect();
    if unreferenced.is_empty() {
        eprintln!("test: every snapshot ({}) was read by a test", snapshots.len());
        return Ok(true);
    }
    eprintln!(
        "test: snapshots no test read (delete them, or the test that should read them is gone):"
    );
    for path in unreferenced {
        eprintln!("  {}", path.display());
    }
    Ok(false)
}

/// The `.snap` files below `dir`, skipping `target` and hidden directories.
fn collect_snapshots(dir: &Path, found: &mut BTreeSet<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                collect_snapshots(&path, found);
            }
        } else if name.ends_with(".snap")
            && let Ok(path) = std::fs::canonicalize(&path)
        {
            found.insert(path);
        }
    }
}

/// Writes to stdout in one piece, so jobs ending together do not interleave.
fn emit(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Each job's wall time, longest first, and the totals.
fn summary(outcomes: &[Outcome], wall: Duration) -> String {
    let mut sorted: Vec<&Outcome> = outcomes.iter().collect();
    sorted.sort_by_key(|o| std::cmp::Reverse(o.elapsed));
    let mut text = String::from(
        "\n== wall time and CPU time per test binary (longest first; CPU includes the peers and \
         processes it started and waited for)\n",
    );
    for outcome in &sorted {
        let mark = if outcome.passed { "" } else { "  FAILED" };
        let cpu = outcome.cpu.map_or_else(|| "      -".to_owned(), |cpu| format!("{cpu:>7.1}"));
        let _ = writeln!(
            text,
            "{:>7.1} s wall {cpu} s CPU  {}{mark}",
            outcome.elapsed.as_secs_f64(),
            outcome.label
        );
    }
    let serial: f64 = outcomes.iter().map(|o| o.elapsed.as_secs_f64()).sum();
    let cpu: f64 = outcomes.iter().filter_map(|o| o.cpu).sum();
    let failed: Vec<&str> =
        outcomes.iter().filter(|o| !o.passed).map(|o| o.label.as_str()).collect();
    let _ = writeln!(
        text,
        "test: {} jobs in {:.1} s (build included; {:.1} s one after another, {:.1} s CPU), {} \
         failed{}",
        outcomes.len(),
        wall.as_secs_f64(),
        serial,
        cpu,
        failed.len(),
        if failed.is_empty() { String::new() } else { format!(": {}", failed.join(", ")) }
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn jobs_partition_and_binary_arguments_are_read() {
        let options = parse_args(
            &args(&[
                "--jobs",
                "4",
                "--test-threads",
                "6",
                "-p",
                "floe-core",
                "--partition",
                "slice:2/3",
                "--",
                "tracing::",
                "--nocapture",
            ]),
            &Env::default(),
        )
        .unwrap();
        assert_eq!(
            options,
            Options {
                jobs: 4,
                test_threads: Some(6),
                partition: Some((2, 3)),
                packages: args(&["floe-core"]),
                binary_args: args(&["tracing::", "--nocapture"])
            }
        );
        let env = Env { jobs: Some("5"), threads: Some("12"), rust_test_threads: true };
        let options = parse_args(&[], &env).unwrap();
        assert_eq!((options.jobs, options.test_threads), (5, Some(12)));
        let options = parse_args(&[], &Env::default()).unwrap();
        assert_eq!((options.jobs, options.test_threads), (3, Some(DEFAULT_TEST_THREADS)));
    }

    #[test]
    fn libtests_own_thread_settings_are_left_alone() {
        let rust_env = Env { rust_test_threads: true, ..Env::default() };
        assert_eq!(parse_args(&[], &rust_env).unwrap().test_threads, None);
        let after_dashes = parse_args(&args(&["--", "--test-threads=1"]), &Env::default());
        assert_eq!(after_dashes.unwrap().test_threads, None);
    }

    #[test]
    fn a_bad_argument_names_what_is_wrong() {
        let error =
            |list: &[&str]| format!("{:#}", parse_args(&args(list), &Env::default()).unwrap_err());
        assert!(
            error(&["--jobs", "0"]).contains("--jobs: takes a whole number above 0, not \"0\"")
        );
        assert!(
            error(&["--test-threads", "many"]).contains("--test-threads: takes a whole number")
        );
        assert!(error(&["--partition", "slice:4/3"]).contains("slice:M/N with 1 <= M <= N"));
        assert!(error(&["--partition", "hash:1/2"]).contains("not \"hash:1/2\""));
        assert!(error(&["--fast"]).contains("unknown argument \"--fast\""));
        let env = Env { jobs: Some("x"), ..Env::default() };
        assert!(format!("{:#}", parse_args(&[], &env).unwrap_err()).contains("FLOE_TEST_JOBS"));
        let env = Env { threads: Some("0"), ..Env::default() };
        assert!(format!("{:#}", parse_args(&[], &env).unwrap_err()).contains("FLOE_TEST_THREADS"));
    }

    fn binary(package: &str, target: &str) -> Job {
        Job::Binary(TestBinary {
            package: package.to_owned(),
            version: "0.1.0".to_owned(),
            dir: PathBuf::new(),
            target: target.to_owned(),
            crate_name: package.replace('-', "_"),
            path: PathBuf::from("/nonexistent"),
        })
    }

    #[test]
    fn unknown_jobs_run_first_then_the_longest_known() {
        let mut queue =
            vec![binary("a", "lib"), binary("b", "test it"), Job::Doc, binary("c", "test it")];
        let known: HashMap<String, f64> =
            [("a lib".to_owned(), 1.0), ("c test it".to_owned(), 30.0)].into();
        order_longest_first(&mut queue, &known);
        let labels: Vec<String> = queue.iter().map(Job::label).collect();
        assert_eq!(labels, ["doctests", "b test it", "c test it", "a lib"]);
    }

    #[test]
    fn times_are_kept_for_jobs_that_did_not_run() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("times.tsv");
        let known: HashMap<String, f64> =
            [("other slice".to_owned(), 7.0), ("a lib".to_owned(), 1.0)].into();
        let outcomes = [Outcome {
            label: "a lib".to_owned(),
            passed: true,
            elapsed: Duration::from_secs(3),
            cpu: None,
        }];
        write_times(&path, &known, &outcomes);
        let read = read_times(&path);
        assert_eq!(read.get("a lib"), Some(&3.0));
        assert_eq!(read.get("other slice"), Some(&7.0));
    }

    #[test]
    fn the_summary_lists_the_longest_first_and_names_failures() {
        let outcomes = [
            Outcome {
                label: "fast lib".to_owned(),
                passed: true,
                elapsed: Duration::from_secs(1),
                cpu: Some(0.5),
            },
            Outcome {
                label: "slow it".to_owned(),
                passed: false,
                elapsed: Duration::from_secs(9),
                cpu: None,
            },
        ];
        let text = summary(&outcomes, Duration::from_secs(10));
        let slow = text.find("slow it  FAILED").unwrap();
        assert!(slow < text.find("fast lib").unwrap(), "{text}");
        assert!(
            text.contains(
                "2 jobs in 10.0 s (build included; 10.0 s one after another, 0.5 s CPU), 1 \
                 failed: slow it"
            ),
            "{text}"
        );
        assert!(text.contains("    1.0 s wall     0.5 s CPU  fast lib"), "{text}");
        assert!(text.contains("    9.0 s wall       - s CPU  slow it  FAILED"), "{text}");
    }

    #[test]
    fn the_machine_line_splits_the_run_into_busy_idle_and_stolen_time() {
        // cpu user nice system idle iowait irq softirq steal guest guest_nice
        let before = "cpu  1000 10 200 5000 50 0 40 100 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n";
        let after = "intr 5\ncpu  1600 10 300 5200 50 0 100 300 0 0\n";
        let before = parse_machine_ticks(before).unwrap();
        let after = parse_machine_ticks(after).unwrap();
        assert_eq!(before, MachineTicks { busy: 1250, idle: 5050, steal: 100 });
        // 760 busy, 200 idle, 200 stolen ticks of 1160.
        assert_eq!(
            machine_line(&before, &after),
            "test: the machine's CPUs meanwhile 66 % busy, 17 % idle, 17 % stolen by the \
             hypervisor (/proc/stat)\n"
        );
        assert_eq!(parse_machine_ticks("cpu  1 2 3\n"), None, "a short line is no reading");
        assert_eq!(parse_machine_ticks("cpu0 1 2 3 4 5 6 7 8\n"), None, "only the total line");
    }

    #[test]
    fn a_stat_line_gives_state_and_cpu_past_a_name_with_spaces_and_parentheses() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        // utime stime cutime cstime ...
        let stat = "4242 (it (x) y) Z 1 4242 4242 0 -1 4194560 90 0 0 0 150 30 2000 120 20 0 1";
        assert_eq!(parse_stat(stat), Some(('Z', 23.0)));
        assert_eq!(parse_stat("4242 (it) R 1"), None, "too few fields is no reading");
    }

    #[test]
    fn cpu_at_exit_counts_the_children_a_job_waited_for() {
        // The job burns no CPU itself; the shell it starts (and waits for) does.
        let mut child = std::process::Command::new("sh")
            .args(["-c", "sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'; exit 3"])
            .spawn()
            .unwrap();
        let cpu = cpu_at_exit(child.id()).expect("a reading from /proc");
        assert_eq!(child.wait().unwrap().code(), Some(3), "the job is still reaped by its waiter");
        assert!(cpu >= 0.05, "the grandchild's loop is counted: {cpu} s");
    }

    #[test]
    fn snapshots_are_found_outside_target_and_hidden_directories() {
        let dir = tempfile::tempdir().unwrap();
        for path in ["snapshots/a.snap", "target/b.snap", ".git/c.snap", "src/d.snap.new"] {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let mut found = BTreeSet::new();
        collect_snapshots(dir.path(), &mut found);
        let names: Vec<String> =
            found.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["a.snap"]);
    }
}
