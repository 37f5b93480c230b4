//! floe-dbt: node spans and the command runner, driven by a stand-in executable
//! that behaves like dbt (writes `run_results.json`, prints JSON log events, exits with
//! dbt's codes). The plugins' own tests drive the real dbt-core.

use std::path::{Path, PathBuf};

use floe_core::KeyValue;
use floe_core::plugin::categories::{DbtCommand, DbtCommandResult, DbtNodeResult, DbtOptions};
use floe_core::secret::Secret;
use floe_core::telemetry::ops::DbtOp;
use floe_core::telemetry::{DomainSpan, attr, describe_error};
use floe_dbt::{DbtCli, DbtError, Engine, TestFailures, record_nodes};
use floe_otel_testkit::fixtures::write_executable;
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::{Capture, expect};

const TRACER: &str = "floe.test.dbt";

fn node(id: &str, status: &str, message: Option<&str>, failures: Option<u64>) -> DbtNodeResult {
    DbtNodeResult {
        unique_id: id.to_owned(),
        status: status.to_owned(),
        execution_time: 0.25,
        message: message.map(str::to_owned),
        failures,
    }
}

fn result() -> DbtCommandResult {
    DbtCommandResult {
        command: DbtCommand::Test,
        success: false,
        nodes: vec![
            node("model.demo.orders", "error", Some("Catalog Error: table raw missing"), None),
            node("test.demo.amount_ok", "pass", None, Some(0)),
            node(
                "test.demo.amount_small",
                "fail",
                Some("Got 2 results, configured to fail if != 0"),
                Some(2),
            ),
        ],
        elapsed: 1.0,
    }
}

#[test]
fn nodes_are_children_and_failures_are_errors_when_they_fail_the_command() {
    let capture = Capture::start();
    let parent = DomainSpan::start_with(
        TRACER,
        DbtOp::RunCommand,
        [KeyValue::new(attr::DBT_COMMAND, "test")],
    );
    record_nodes(TRACER, parent.context(), &result(), TestFailures::Fail);
    parent.succeed();
    capture.assert_one(
        expect::span("dbt.node")
            .parent("dbt.run_command")
            .attr(attr::DBT_NODE_UNIQUE_ID, "model.demo.orders")
            .attr(attr::DBT_NODE_STATUS, "error")
            .error_description("Catalog Error: table raw missing"),
    );
    capture.assert_one(
        expect::span("dbt.node")
            .attr(attr::DBT_NODE_UNIQUE_ID, "test.demo.amount_small")
            .attr(attr::DBT_NODE_FAILURES, 2_i64)
            .error_description("Got 2 results, configured to fail if != 0"),
    );
    capture.assert_one(
        expect::span("dbt.node").attr(attr::DBT_NODE_UNIQUE_ID, "test.demo.amount_ok").ok(),
    );
    capture.assert_conforms();
}

#[test]
fn a_failing_test_is_ok_when_failures_are_results_but_an_erroring_node_is_not() {
    let capture = Capture::start();
    let parent = DomainSpan::start(TRACER, DbtOp::RunCommand);
    parent.set_attribute(KeyValue::new(attr::DBT_COMMAND, "test"));
    record_nodes(TRACER, parent.context(), &result(), TestFailures::Report);
    parent.succeed();
    capture.assert_one(
        expect::span("dbt.node")
            .attr(attr::DBT_NODE_UNIQUE_ID, "test.demo.amount_small")
            .attr(attr::DBT_NODE_STATUS, "fail")
            .ok(),
    );
    capture.assert_one(
        expect::span("dbt.node").attr(attr::DBT_NODE_UNIQUE_ID, "model.demo.orders").error(),
    );
}

/// What the stand-in does: record its arguments, copy `FAKE_RESULTS` into the target path
/// (`FAKE_TARGET`, default `target`), print `FAKE_STDOUT`, echo the password it was handed,
/// exit with `FAKE_EXIT`.
const FAKE_BODY: &str = "echo \"$@\" > args.txt\n\
    t=$(cat FAKE_TARGET 2>/dev/null || echo target); mkdir -p \"$t\"\n\
    if [ -f FAKE_RESULTS ]; then cp FAKE_RESULTS \"$t/run_results.json\"; fi\n\
    if [ -f FAKE_STDOUT ]; then cat FAKE_STDOUT; fi\n\
    echo \"password was $DBT_ENV_SECRET_PW\" >&2\n\
    exit $(cat FAKE_EXIT 2>/dev/null || echo 0)\n";

/// A project directory and a stand-in `dbt` that does what `FAKE_*` files in it say.
struct FakeDbt {
    dir: tempfile::TempDir,
}

impl FakeDbt {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a scratch directory");
        std::fs::write(dir.path().join("dbt_project.yml"), "name: demo\n")
            .expect("writing the project");
        std::fs::create_dir_all(dir.path().join("target")).expect("creating target/");
        let script = dir.path().join("dbt");
        write_executable(&script, &format!("#!/bin/sh\n{FAKE_BODY}"))
            .expect("writing the stand-in");
        Self { dir }
    }

    /// Turns the stand-in into what pip installs for dbt-core: a script whose first line
    /// names a Python interpreter (here a stand-in `python3` that records its arguments
    /// and its standard input, then behaves like the stand-in `dbt`).
    fn as_python_entry_point(&self) {
        let python = self.path().join("python3");
        write_executable(
            &python,
            &format!("#!/bin/sh\necho \"$@\" > interpreter_args.txt\ncat > stdin.txt\n{FAKE_BODY}"),
        )
        .expect("writing the stand-in interpreter");
        write_executable(
            self.path().join("dbt"),
            &format!(
                "#!{}\nimport sys\nfrom dbt.cli.main import cli\nsys.exit(cli())\n",
                python.display()
            ),
        )
        .expect("writing the entry point");
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path().join(name), text).expect("writing a fake file");
    }

    fn cli(&self, secret: &str) -> DbtCli {
        DbtCli::new(self.path().join("dbt"), Engine::Core)
            .with_env("DBT_ENV_SECRET_PW", Secret::new(secret.to_owned()))
    }

    fn options(&self) -> DbtOptions {
        DbtOptions {
            project_dir: PathBuf::from(self.path()),
            target: Some("dev".to_owned()),
            ..DbtOptions::default()
        }
    }
}

const ONE_FAILING_TEST: &str = r#"{"elapsed_time": 0.3, "results": [
  {"unique_id": "test.demo.amount_small", "status": "fail", "execution_time": 0.1, "message": "Got 2 results", "failures": 2},
  {"unique_id": "test.demo.amount_ok", "status": "pass", "execution_time": 0.1, "message": null, "failures": 0}]}"#;

#[tokio::test]
async fn a_successful_command_returns_typed_results_under_one_command_span() {
    let fake = FakeDbt::new();
    fake.write("FAKE_RESULTS", r#"{"elapsed_time": 0.5, "results": [{"unique_id": "seed.demo.raw", "status": "success", "execution_time": 0.2}]}"#);
    let capture = Capture::start();
    let result = fake
        .cli("s3cret-pw")
        .execute(TRACER, DbtCommand::Seed, &fake.options(), TestFailures::Fail, vec![])
        .await
        .unwrap();
    assert!(result.success);
    assert_eq!(result.nodes[0].unique_id, "seed.demo.raw");
    let args = std::fs::read_to_string(fake.path().join("args.txt")).unwrap();
    assert!(args.starts_with("seed --project-dir "), "{args}");
    assert!(args.trim_end().ends_with("--target dev --log-format json"), "{args}");
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .ok()
            .attr(attr::DBT_COMMAND, "seed")
            .attr(attr::DBT_ENGINE, "dbt-core")
            .attr(attr::DBT_TARGET, "dev")
            .attr(attr::DBT_NODES_COUNT, 1_i64)
            .attr(attr::DBT_FAILURES, 0_i64),
    );
    capture.assert_one(expect::span("dbt.node").parent("dbt.run_command").ok());
    capture.assert_conforms();
}

#[tokio::test]
async fn failing_tests_fail_the_command_unless_they_are_reported() {
    let fake = FakeDbt::new();
    fake.write("FAKE_RESULTS", ONE_FAILING_TEST);
    fake.write("FAKE_EXIT", "1");
    let capture = Capture::start();
    let err = fake
        .cli("pw")
        .execute(TRACER, DbtCommand::Test, &fake.options(), TestFailures::Fail, vec![])
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "dbt test failed (exit status 1): 1 of 2 nodes failed: test.demo.amount_small (Got 2 results)"
    );
    assert_eq!(err.result().unwrap().failures().len(), 1);
    capture.assert_one(
        expect::span("dbt.run_command")
            .error_containing("1 of 2 nodes failed")
            .attr(attr::DBT_FAILURES, 1_i64),
    );
    drop(capture);

    let capture = Capture::start();
    let reported = fake
        .cli("pw")
        .execute(TRACER, DbtCommand::Test, &fake.options(), TestFailures::Report, vec![])
        .await
        .unwrap();
    assert!(!reported.success);
    capture.assert_one(expect::span("dbt.run_command").ok());
    capture.assert_one(expect::span("dbt.node").attr(attr::DBT_NODE_STATUS, "fail").ok());
}

#[tokio::test]
async fn dbt_errors_reach_the_span_scrubbed_of_environment_secrets_and_sanitized() {
    let secret = floe_otel_testkit::fixtures::planted_secret();
    let fake = FakeDbt::new();
    fake.write(
        "FAKE_STDOUT",
        &format!(
            "{{\"info\": {{\"level\": \"info\", \"msg\": \"Running with dbt=1.11.16\"}}}}\n\
             {{\"info\": {{\"level\": \"error\", \"msg\": \"Could not open postgres://floe:{secret}@db:5432/x as {secret}\"}}}}\n"
        ),
    );
    fake.write("FAKE_EXIT", "2");
    let capture = Capture::start();
    let err = fake
        .cli(&secret)
        .execute(TRACER, DbtCommand::Run, &fake.options(), TestFailures::Fail, vec![])
        .await
        .unwrap_err();
    assert!(matches!(err, DbtError::Failed { result: None, .. }), "{err:?}");
    let text = describe_error(&err).into_string();
    assert_eq!(
        text,
        "dbt run failed (exit status 2): Could not open postgres://floe:<redacted>@db:5432/x as <redacted>"
    );
    assert_text_clean("error", &format!("{err} {err:?}"), &secret);
    capture.assert_one(
        expect::span("dbt.run_command")
            .error_containing("Could not open postgres://floe:<redacted>@db"),
    );
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

#[tokio::test]
async fn success_without_results_a_stale_file_or_a_missing_project_are_errors() {
    let fake = FakeDbt::new();
    // A file left by an earlier command must not pass for this one's results.
    fake.write("target/run_results.json", ONE_FAILING_TEST);
    let err = fake
        .cli("pw")
        .execute(TRACER, DbtCommand::Run, &fake.options(), TestFailures::Fail, vec![])
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "dbt run wrote no target/run_results.json");

    let capture = Capture::start();
    let options = DbtOptions { project_dir: fake.path().join("missing"), ..DbtOptions::default() };
    let err = fake
        .cli("pw")
        .execute(TRACER, DbtCommand::Run, &options, TestFailures::Fail, vec![])
        .await
        .unwrap_err();
    assert!(matches!(err, DbtError::ProjectNotFound { .. }), "{err:?}");
    assert_eq!(err.to_string(), "project directory missing holds no dbt_project.yml");
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .error_description("project directory missing holds no dbt_project.yml")
            .exception("DbtError")
            .without_text(fake.path().to_string_lossy()),
    );

    let err = DbtCli::new(fake.path().join("no-such-dbt"), Engine::Core)
        .execute(TRACER, DbtCommand::Run, &fake.options(), TestFailures::Fail, vec![])
        .await
        .unwrap_err();
    assert_eq!(
        describe_error(&err).as_str(),
        "dbt run did not run: cannot start no-such-dbt: No such file or directory (os error 2)"
    );
}

#[tokio::test]
async fn vars_reach_dbt_cores_entry_point_on_stdin_never_on_its_command_line() {
    let secret = floe_otel_testkit::fixtures::planted_secret();
    let fake = FakeDbt::new();
    fake.as_python_entry_point();
    fake.write("FAKE_RESULTS", ONE_FAILING_TEST);
    fake.write("FAKE_EXIT", "1");
    // dbt echoes a var it cannot use; the var's value must not come back.
    fake.write(
        "FAKE_STDOUT",
        &format!("{{\"info\": {{\"level\": \"error\", \"msg\": \"bad var api_key={secret}\"}}}}\n"),
    );
    let vars = format!("{{api_key: {secret}, floe_fail_on_purpose: true}}");
    let options = DbtOptions { vars: Some(vars.clone()), ..fake.options() };
    let cli = fake.cli("pw");
    assert!(cli.uses_stdin());
    let capture = Capture::start();
    let err = cli
        .execute(TRACER, DbtCommand::Test, &options, TestFailures::Fail, vec![])
        .await
        .unwrap_err();
    let interpreter_args =
        std::fs::read_to_string(fake.path().join("interpreter_args.txt")).unwrap();
    assert!(interpreter_args.starts_with("-c import json, sys"), "{interpreter_args}");
    assert!(!interpreter_args.contains("--vars") && !interpreter_args.contains(&secret));
    let stdin: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(fake.path().join("stdin.txt")).unwrap())
            .unwrap();
    let at = stdin.iter().position(|a| a == "--vars").expect("--vars on stdin");
    assert_eq!(stdin[at + 1], vars);
    assert_eq!(stdin[0], "test");
    assert!(matches!(err, DbtError::Failed { .. }), "{err:?}");
    assert_text_clean("error", &format!("{err} {err:?}"), &secret);
    capture
        .assert_one(expect::span("dbt.run_command").root().error_containing("1 of 2 nodes failed"));
    capture.assert_no_secret(&secret);
}

#[tokio::test]
async fn a_var_dbt_echoes_in_an_error_is_removed_even_on_the_command_line_path() {
    let secret = floe_otel_testkit::fixtures::planted_secret();
    let fake = FakeDbt::new();
    fake.write(
        "FAKE_STDOUT",
        &format!("{{\"info\": {{\"level\": \"error\", \"msg\": \"The YAML provided in the --vars argument is not valid: {{token: {secret}\"}}}}\n"),
    );
    fake.write("FAKE_EXIT", "2");
    let options = DbtOptions { vars: Some(format!("{{token: {secret}")), ..fake.options() };
    let capture = Capture::start();
    let err = fake
        .cli("pw")
        .execute(TRACER, DbtCommand::Run, &options, TestFailures::Fail, vec![])
        .await
        .unwrap_err();
    assert_eq!(
        describe_error(&err).as_str(),
        "dbt run failed (exit status 2): The YAML provided in the --vars argument is not valid: <redacted>"
    );
    capture
        .assert_one(expect::span("dbt.run_command").error_containing("is not valid: <redacted>"));
    capture.assert_no_secret(&secret);
}

#[tokio::test]
async fn results_are_read_from_the_target_path_dbt_project_yml_sets() {
    let fake = FakeDbt::new();
    fake.write("dbt_project.yml", "name: demo\ntarget-path: build/artifacts\n");
    fake.write("FAKE_TARGET", "build/artifacts");
    fake.write("FAKE_RESULTS", r#"{"elapsed_time": 0.5, "results": [{"unique_id": "seed.demo.raw", "status": "success", "execution_time": 0.2}]}"#);
    // A stale file where dbt no longer writes must not be read instead.
    fake.write("target/run_results.json", ONE_FAILING_TEST);
    let capture = Capture::start();
    let result = fake
        .cli("pw")
        .execute(TRACER, DbtCommand::Seed, &fake.options(), TestFailures::Fail, vec![])
        .await
        .unwrap();
    assert_eq!(result.nodes.len(), 1);
    assert_eq!(result.nodes[0].unique_id, "seed.demo.raw");
    capture.assert_one(expect::span("dbt.run_command").ok().attr(attr::DBT_NODES_COUNT, 1_i64));
    std::fs::remove_file(fake.path().join("FAKE_RESULTS")).unwrap();
    let err = fake
        .cli("pw")
        .execute(TRACER, DbtCommand::Seed, &fake.options(), TestFailures::Fail, vec![])
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "dbt seed wrote no build/artifacts/run_results.json");
}

#[tokio::test]
async fn directories_in_dbt_errors_become_project_relative_or_file_names() {
    let fake = FakeDbt::new();
    let dir = fake.path().display().to_string();
    fake.write(
        "FAKE_STDOUT",
        &format!("{{\"info\": {{\"level\": \"error\", \"msg\": \"Compilation Error in {dir}/models/a.sql: cannot read /etc/floe/secret-dir/profiles.yml\"}}}}\n"),
    );
    fake.write("FAKE_EXIT", "2");
    let capture = Capture::start();
    let err = fake
        .cli("pw")
        .execute(TRACER, DbtCommand::Run, &fake.options(), TestFailures::Fail, vec![])
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "dbt run failed (exit status 2): Compilation Error in models/a.sql: cannot read profiles.yml"
    );
    capture.assert_one(
        expect::span("dbt.run_command")
            .error_containing("in models/a.sql: cannot read profiles.yml")
            .without_text(&dir)
            .without_text("/etc/floe"),
    );
}

#[tokio::test]
async fn a_failed_command_reports_dbts_error_not_the_results_it_left_unreadable() {
    let fake = FakeDbt::new();
    fake.write("FAKE_RESULTS", "{\"results\": [{\"unique_id\": \"model.p.a\"");
    fake.write(
        "FAKE_STDOUT",
        "{\"info\": {\"level\": \"error\", \"msg\": \"Database Error: out of disk\"}}\n",
    );
    fake.write("FAKE_EXIT", "2");
    let capture = Capture::start();
    let err = fake
        .cli("pw")
        .execute(TRACER, DbtCommand::Run, &fake.options(), TestFailures::Fail, vec![])
        .await
        .unwrap_err();
    assert!(matches!(err, DbtError::Failed { result: None, .. }), "{err:?}");
    assert_eq!(err.to_string(), "dbt run failed (exit status 2): Database Error: out of disk");
    capture.assert_one(expect::span("dbt.run_command").error_containing("out of disk"));
}

#[tokio::test]
async fn each_way_a_command_cannot_be_used_ends_its_span_as_that_error() {
    let fake = FakeDbt::new();
    let cli = fake.cli("pw");
    let capture = Capture::start();
    // run_results.json that is not one.
    fake.write("FAKE_RESULTS", "{not a run-results document");
    let artifact = cli
        .execute(TRACER, DbtCommand::Run, &fake.options(), TestFailures::Fail, vec![])
        .await
        .unwrap_err();
    assert!(matches!(artifact, DbtError::Artifact { .. }), "{artifact:?}");
    std::fs::remove_file(fake.path().join("FAKE_RESULTS")).unwrap();
    // Success, but no results at all.
    let missing = cli
        .execute(TRACER, DbtCommand::Seed, &fake.options(), TestFailures::Fail, vec![])
        .await
        .unwrap_err();
    assert!(matches!(missing, DbtError::MissingArtifact { .. }), "{missing:?}");
    // show that prints no ShowNode event.
    fake.write("FAKE_RESULTS", r#"{"results": []}"#);
    let preview = cli.show_inline(TRACER, &fake.options(), "select 1").await.unwrap_err();
    assert!(matches!(preview, DbtError::NoPreview), "{preview:?}");
    // lint is SQLFluff's, never dbt's.
    let lint = cli
        .execute(TRACER, DbtCommand::Lint, &fake.options(), TestFailures::Fail, vec![])
        .await
        .unwrap_err();
    assert!(matches!(lint, DbtError::NotADbtCommand { .. }), "{lint:?}");
    // A Jinja target-path cannot be located.
    fake.write("dbt_project.yml", "name: demo\ntarget-path: \"{{ env_var('OUT') }}\"\n");
    let target = cli
        .execute(TRACER, DbtCommand::Run, &fake.options(), TestFailures::Fail, vec![])
        .await
        .unwrap_err();
    assert!(matches!(target, DbtError::TargetPath { .. }), "{target:?}");
    let command = |name: &str| {
        expect::span("dbt.run_command")
            .root()
            .scope(TRACER)
            .attr(attr::DBT_COMMAND, name.to_owned())
            .exception("DbtError")
    };
    capture.assert_one(command("run").error_description("dbt run: unusable artifact: run_results.json is not a dbt artifact dbt-core or Fusion writes: key must be a string at line 1 column 2"));
    capture
        .assert_one(command("seed").error_description("dbt seed wrote no target/run_results.json"));
    capture.assert_one(command("show").error_description("dbt show printed no preview"));
    capture.assert_one(command("lint").error_description("lint is not a dbt command"));
    capture.assert_one(command("run").error_containing(
        "cannot locate the dbt target path: target-path in dbt_project.yml is a Jinja expression",
    ));
    capture.assert_conforms();
}

#[tokio::test]
async fn sqlfluff_output_that_is_not_its_report_is_an_error_span() {
    let fake = FakeDbt::new();
    let sqlfluff = fake.path().join("sqlfluff");
    write_executable(&sqlfluff, "#!/bin/sh\necho 'Traceback: sqlfluff crashed'\n").unwrap();
    let capture = Capture::start();
    let err =
        floe_dbt::Sqlfluff::new(&sqlfluff).lint(TRACER, &fake.options(), vec![]).await.unwrap_err();
    assert!(matches!(err, DbtError::Report { tool: "sqlfluff", .. }), "{err:?}");
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .attr(attr::DBT_COMMAND, "lint")
            .error_containing("sqlfluff printed no report floe can read")
            .exception("DbtError"),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn a_sqlfluff_report_larger_than_floe_reads_is_refused_by_its_size() {
    // A valid report of about 40 MB: cut to its two ends it no longer parses, and the
    // error must say why (its size) rather than call SQLFluff's report malformed.
    let fake = FakeDbt::new();
    let sqlfluff = fake.path().join("sqlfluff");
    let file = r#"{"filepath":"models/a.sql","violations":[]}"#;
    let script =
        format!("#!/bin/sh\nprintf '['\nyes '{file},' | head -n 900000\nprintf '%s]' '{file}'\n");
    write_executable(&sqlfluff, &script).unwrap();
    let capture = Capture::start();
    let err =
        floe_dbt::Sqlfluff::new(&sqlfluff).lint(TRACER, &fake.options(), vec![]).await.unwrap_err();
    assert!(matches!(err, DbtError::Report { tool: "sqlfluff", .. }), "{err:?}");
    let text = describe_error(&err).into_string();
    assert!(text.contains("the report is larger than the 32 MiB floe reads"), "{text}");
    capture.assert_one(
        expect::span("dbt.run_command")
            .root()
            .attr(attr::DBT_COMMAND, "lint")
            .error_containing("larger than the 32 MiB"),
    );
    capture.assert_conforms();
}
