//! Tests of `cargo xtask faults` that need no build: arguments, the packages it covers,
//! the order tests run in, the verdict and the rendering. The matrix itself is run by
//! `cargo xtask faults` (CI, `.ci/run`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use super::cells::{Test, cheapest_first, last_catcher_first, read_catchers, write_catchers};
use super::{Cell, FAULTS, Outcome, parse_args, render, subjects};
use crate::exemptions::FAULT_EXEMPTIONS;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn no_argument_means_every_package_and_every_fault() {
    let options = parse_args(&[]).unwrap();
    assert!(options.packages.is_empty());
    assert_eq!(options.faults, FAULTS.to_vec());
    assert!(options.jobs >= 1);
    assert!(!options.json);
}

#[test]
fn packages_faults_jobs_and_format_are_read() {
    let options = parse_args(&args(&[
        "-p",
        "floe-alert-slack",
        "--fault",
        "new-root",
        "--jobs",
        "3",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(options.packages, ["floe-alert-slack"]);
    assert_eq!(options.faults, ["new-root"]);
    assert_eq!(options.jobs, 3);
    assert!(options.json);
}

#[test]
fn a_bad_argument_names_what_is_wrong() {
    let error = parse_args(&args(&["--fault", "new-roots"])).unwrap_err().to_string();
    assert!(error.contains("\"new-roots\"") && error.contains("rename-span"), "{error}");
    let error = parse_args(&args(&["--jobs", "0"])).unwrap_err().to_string();
    assert!(error.contains("--jobs"), "{error}");
    let error = parse_args(&args(&["-p"])).unwrap_err().to_string();
    assert!(error.contains("-p needs a value"), "{error}");
    let error = parse_args(&args(&["--verbose"])).unwrap_err().to_string();
    assert!(error.contains("\"--verbose\""), "{error}");
}

/// The 19 instrumented plugins and floe-iceberg, each plugin with its contract row; the
/// telemetry backends, which have no tracing tests by policy, are named apart.
#[test]
fn the_matrix_covers_every_instrumented_plugin_and_floe_iceberg() {
    let (subjects, without) = subjects(&crate::workspace_root()).unwrap();
    let plugins: Vec<_> = subjects.iter().filter(|s| s.dir.starts_with("plugins")).collect();
    assert_eq!(plugins.len(), 19, "{plugins:?}");
    assert!(
        plugins.iter().all(|s| s.row.is_some()),
        "a plugin without a contract row: {plugins:?}"
    );
    let slack = subjects.iter().find(|s| s.package == "floe-alert-slack").unwrap();
    assert_eq!(slack.row.as_deref(), Some("alert_slack"));
    let iceberg = subjects.iter().find(|s| s.package == "floe-iceberg").unwrap();
    assert_eq!(iceberg.dir, PathBuf::from("packages/floe-iceberg"));
    assert_eq!(iceberg.row, None);
    assert_eq!(without, ["floe-telemetry-console", "floe-telemetry-jaeger"]);
}

#[test]
fn every_exemption_names_a_covered_package_a_known_fault_and_a_reason() {
    let (subjects, _) = subjects(&crate::workspace_root()).unwrap();
    for e in FAULT_EXEMPTIONS {
        assert!(subjects.iter().any(|s| s.package == e.package), "{e:?}: no such package");
        assert!(FAULTS.contains(&e.fault), "{e:?}: no such fault");
        assert!(e.reason.len() > 20, "{e:?}: say why it cannot be caught");
    }
}

fn test(name: &str) -> Test {
    Test { binary: PathBuf::from("it"), cwd: PathBuf::from("."), name: name.to_owned() }
}

#[test]
fn known_fast_tests_run_first_and_unknown_ones_keep_their_order() {
    let tests =
        [test("row::a"), test("tracing::slow"), test("tracing::fast"), test("tracing::new")];
    let durations = HashMap::from([
        (test("tracing::slow"), Duration::from_secs(9)),
        (test("tracing::fast"), Duration::from_millis(20)),
    ]);
    let order: Vec<&str> =
        cheapest_first(&tests, &durations).iter().map(|t| t.name.as_str()).collect();
    assert_eq!(order, ["tracing::fast", "tracing::slow", "row::a", "tracing::new"]);
    let first = last_catcher_first(cheapest_first(&tests, &durations), Some("row::a"));
    let first: Vec<&str> = first.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(first, ["row::a", "tracing::fast", "tracing::slow", "tracing::new"]);
    let gone = last_catcher_first(cheapest_first(&tests, &durations), Some("tracing::renamed"));
    assert_eq!(gone.len(), 4, "a catcher no longer listed changes nothing");
    assert_eq!(gone[0].name, "tracing::fast");
}

#[test]
fn the_catchers_of_the_last_run_are_kept_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catchers.tsv");
    assert!(read_catchers(&path).is_empty(), "no file is no catcher");
    let mut catchers = std::collections::HashMap::new();
    catchers.insert(
        ("floe-alert-slack".to_owned(), "new-root".to_owned()),
        "tracing::caught_it".to_owned(),
    );
    catchers.insert(("floe-core".to_owned(), "rename-span".to_owned()), "row::a".to_owned());
    write_catchers(&path, &catchers);
    assert_eq!(read_catchers(&path), catchers);
}

fn cell(
    package: &str,
    fault: &'static str,
    outcome: Outcome,
    exempt: Option<&'static str>,
) -> Cell {
    Cell {
        package: package.to_owned(),
        fault,
        outcome,
        tests_run: 2,
        tests: 5,
        seconds: 1.0,
        exempt,
    }
}

#[test]
fn only_a_missed_cell_without_an_exemption_is_a_gap() {
    let caught = cell("p", "new-root", Outcome::Caught { by: "tracing::x".into() }, None);
    let missed = cell("p", "new-root", Outcome::Missed { triggered: true }, None);
    let untriggered = cell("p", "new-root", Outcome::Missed { triggered: false }, None);
    let exempt = cell("p", "new-root", Outcome::Missed { triggered: false }, Some("because"));
    assert!(!caught.is_gap());
    assert!(missed.is_gap());
    assert!(untriggered.is_gap());
    assert!(!exempt.is_gap());
}

#[test]
fn the_matrix_shows_each_cell_and_lists_gaps_and_exemptions_with_their_reason() {
    let cells = [
        cell("floe-a", "ok-on-failure", Outcome::Caught { by: "tracing::x".into() }, None),
        cell("floe-a", "new-root", Outcome::Missed { triggered: true }, None),
        cell("floe-b", "ok-on-failure", Outcome::Missed { triggered: false }, None),
        cell("floe-b", "new-root", Outcome::Missed { triggered: false }, Some("no spans to lose")),
    ];
    let text = render(&cells, &["ok-on-failure", "new-root"], Duration::from_secs(42));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("(a)") && lines[0].contains("(g)"), "{text}");
    assert!(
        lines[1].starts_with("floe-a")
            && lines[1].contains("caught")
            && lines[1].contains("MISSED"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("floe-b")
            && lines[2].contains("MISSED*")
            && lines[2].contains("exempt"),
        "{text}"
    );
    assert!(
        text.contains("floe-a under new-root: all 5 tests passed although the fault changed spans"),
        "{text}"
    );
    assert!(
        text.contains("floe-b under ok-on-failure: all 5 tests passed and the fault never applied"),
        "{text}"
    );
    assert!(text.contains("floe-b under new-root: no spans to lose"), "{text}");
    assert!(text.contains("4 cells, 1 caught, 1 exempt, 2 missed; wall time 42 s"), "{text}");
}
