//! `floe compile`, `audit` and `plugins` run in-process against test plugins: config
//! errors name the manifest key, secrets never reach any output, and `--strict` fails on
//! an uninstrumented plugin.

use std::process::ExitCode;

use crate::fixtures::{output, platform, run};

const SECRET: &str = "FLOETEST-s3cr3t-db-pass";

fn compute(config: &str) -> String {
    format!("  compute: {{ type: testdb, config: {config} }}\n")
}

fn assert_failed_with(args: &[&str], expected: &str) {
    let result = run(args);
    assert_ne!(result.code, ExitCode::SUCCESS, "{}", result.out);
    assert!(result.err.contains(expected), "missing {expected:?} in:\n{}", result.err);
    assert!(
        !result.err.contains("panicked") && !result.err.contains("RUST_BACKTRACE"),
        "{}",
        result.err
    );
    assert!(
        !result.err.contains(SECRET) && !result.out.contains(SECRET),
        "secret leaked:\n{}{}",
        result.out,
        result.err
    );
}

#[test]
fn a_valid_platform_compiles_and_the_secret_appears_in_no_output() {
    let (dir, manifest) = platform(
        &compute("{ path: wh.duckdb, threads: 4, password: \"${secret:db_password}\" }"),
        SECRET,
    );
    let out = output(dir.path());
    let result = run(&["compile", manifest.to_str().unwrap(), "--output", &out]);
    assert_eq!(result.code, ExitCode::SUCCESS, "{}", result.err);
    assert!(result.out.contains("compiled test-platform (1 plugins)"), "{}", result.out);
    assert!(result.out.contains("audit: 1 plugins, 1 instrumented, 0 warnings"), "{}", result.out);
    let artifacts = std::fs::read_to_string(&out).unwrap();
    let json: serde_json::Value = serde_json::from_str(&artifacts).unwrap();
    assert_eq!(json["plugins"][0]["tracer_name"], "floe.compute.testdb");
    assert_eq!(json["plugins"][0]["config"]["threads"], 4);
    for text in [&result.out, &result.err, &artifacts] {
        floe_otel_testkit::leak::assert_text_clean("compile output", text, SECRET);
    }
}

#[test]
fn an_unknown_plugin_names_the_key_and_the_registered_ones() {
    let (_dir, manifest) = platform("  compute: { type: snowflake }\n", SECRET);
    assert_failed_with(
        &["compile", manifest.to_str().unwrap()],
        "plugins.compute.type: unknown plugin \"snowflake\" for category compute; registered: testdb",
    );
}

#[test]
fn an_unknown_category_is_an_error() {
    let (_dir, manifest) = platform("  warehouse: { type: testdb }\n", SECRET);
    assert_failed_with(
        &["compile", manifest.to_str().unwrap()],
        "plugins.warehouse: unknown category",
    );
}

#[test]
fn an_unknown_config_key_is_an_error_naming_it() {
    let (_dir, manifest) = platform(&compute("{ path: a, threads: 1, treads: 2 }"), SECRET);
    assert_failed_with(
        &["compile", manifest.to_str().unwrap()],
        "plugins.compute.config.treads: unknown field `treads`, expected one of `path`, `threads`, `password`",
    );
}

#[test]
fn a_wrong_type_is_an_error_naming_the_key() {
    let (_dir, manifest) = platform(&compute("{ path: a, threads: many }"), SECRET);
    assert_failed_with(
        &["compile", manifest.to_str().unwrap()],
        "plugins.compute.config.threads: invalid type: string \"many\"",
    );
}

#[test]
fn a_secret_in_a_field_of_the_wrong_type_is_scrubbed_from_the_error() {
    let (_dir, manifest) =
        platform(&compute("{ path: a, threads: \"${secret:db_password}\" }"), SECRET);
    assert_failed_with(
        &["compile", manifest.to_str().unwrap()],
        "plugins.compute.config.threads: invalid type: string \"<redacted>\"",
    );
}

#[test]
fn a_missing_required_key_is_an_error() {
    let (_dir, manifest) = platform(&compute("{ threads: 1 }"), SECRET);
    assert_failed_with(
        &["compile", manifest.to_str().unwrap()],
        "plugins.compute.config: missing field `path`",
    );
}

#[test]
fn an_unresolvable_secret_reference_names_the_key_and_the_reference() {
    let (_dir, manifest) =
        platform(&compute("{ path: a, threads: 1, password: \"${secret:nope}\" }"), SECRET);
    assert_failed_with(
        &["compile", manifest.to_str().unwrap()],
        "plugins.compute.config.password: cannot resolve ${secret:nope}: no such secret",
    );
}

#[test]
fn strict_fails_on_an_uninstrumented_plugin_and_json_lists_the_finding() {
    let (dir, manifest) = platform("  alert_channel: [ { type: bare } ]\n", SECRET);
    let out = output(dir.path());
    let lenient = run(&["compile", manifest.to_str().unwrap(), "--output", &out]);
    assert_eq!(lenient.code, ExitCode::SUCCESS);
    assert!(lenient.out.contains("warning  FLOE-OTEL-001  alert_channel/bare"), "{}", lenient.out);
    let strict = run(&[
        "compile",
        manifest.to_str().unwrap(),
        "--output",
        &out,
        "--strict",
        "--format",
        "json",
    ]);
    assert_eq!(strict.code, ExitCode::from(3));
    assert!(
        strict.err.contains("--strict: the instrumentation audit found 1 warning(s)"),
        "{}",
        strict.err
    );
    let report: serde_json::Value = serde_json::from_str(&strict.out).unwrap();
    assert_eq!(report["findings"][0]["rule"], "missing-tracer-name");
    assert_eq!(report["findings"][0]["plugin"], "alert_channel/bare");
}

#[test]
fn audit_and_plugins_cover_every_registered_plugin() {
    let audit = run(&["audit", "--strict"]);
    assert_eq!(audit.code, ExitCode::from(3));
    assert!(audit.out.contains("audit: 2 plugins, 1 instrumented, 1 warnings"), "{}", audit.out);
    let plugins = run(&["plugins"]);
    assert_eq!(plugins.code, ExitCode::SUCCESS);
    assert!(
        plugins.out.contains("compute        testdb  0.0.1    floe.compute.testdb"),
        "{}",
        plugins.out
    );
    assert!(plugins.out.contains("alert_channel  bare    0.0.1    none"), "{}", plugins.out);
    let json = run(&["plugins", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&json.out).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
}

#[test]
fn a_bad_trace_flag_is_an_error() {
    let (_dir, manifest) = platform("  {}\n", SECRET);
    assert_failed_with(
        &["compile", manifest.to_str().unwrap(), "--trace", "jaeger"],
        "--trace: expected console, none or an http(s):// URL",
    );
}
