//! The `floe` binary end to end: the example platform compiles; bad inputs fail clearly.

use assert_cmd::Command;

fn floe() -> Command {
    Command::cargo_bin("floe").expect("the floe binary is built for integration tests")
}

fn example() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/platform/manifest.yaml")
}

#[test]
fn the_example_platform_compiles_and_shows_the_audit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("artifacts.json");
    let assert = floe().arg("compile").arg(example()).arg("--output").arg(&out).assert().success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("compiled demo-lakehouse"), "{stdout}");
    assert!(stdout.contains("ENFORCE: instrumentation audit"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(json["platform"]["namespace"], "analytics");
}

#[test]
fn trace_console_prints_the_compile_spans_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let assert = floe()
        .arg("compile")
        .arg(example())
        .arg("--output")
        .arg(dir.path().join("a.json"))
        .args(["--trace", "console"])
        .env_remove("OTEL_SDK_DISABLED")
        .assert()
        .success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    for stage in [
        "compile.load",
        "compile.validate",
        "compile.resolve",
        "compile.enforce",
        "compile.compile",
        "compile.generate",
        "floe.compile",
    ] {
        assert!(stderr.contains(&format!("span {stage} [ok]")), "{stage} missing in:\n{stderr}");
    }
}

#[test]
fn a_missing_manifest_is_a_clear_error() {
    let assert = floe().args(["compile", "/nonexistent/manifest.yaml"]).assert().failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.starts_with(
            "error: cannot load /nonexistent/manifest.yaml: No such file or directory"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn invalid_yaml_is_a_clear_error_with_a_position() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("m.yaml");
    std::fs::write(&manifest, "api_version: floe/v1\nplatform: [unclosed\n").unwrap();
    let assert = floe().arg("compile").arg(&manifest).assert().failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("cannot load") && stderr.contains("line"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_wrong_api_version_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("m.yaml");
    std::fs::write(&manifest, "api_version: floe/v9\nplatform: { name: p, namespace: n }\n")
        .unwrap();
    let assert = floe().arg("compile").arg(&manifest).assert().failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("api_version: expected \"floe/v1\", found \"floe/v9\""), "{stderr}");
}
