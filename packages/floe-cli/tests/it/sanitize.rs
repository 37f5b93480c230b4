//! `floe sanitize` end to end.

use assert_cmd::Command;

fn floe() -> Command {
    Command::cargo_bin("floe").expect("the floe binary is built for integration tests")
}

#[test]
fn jsonl_mode_keeps_the_host_and_drops_every_part_of_the_password() {
    let out = floe()
        .args(["sanitize", "--jsonl"])
        .write_stdin("\"connect failed: postgres://app:p@ss/w0rd@db:5432/x\"\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let value: String = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(value, "connect failed: postgres://<REDACTED>@db:5432/x");
    for fragment in ["p@ss", "w0rd", "app:"] {
        assert!(!text.contains(fragment), "{fragment} survived in {text}");
    }
}

#[test]
fn jsonl_mode_round_trips_multi_line_messages_one_per_line() {
    let input = "\"line one\\npassword=hunter2\"\n\"plain\"\n";
    let out = floe().args(["sanitize", "--jsonl"]).write_stdin(input).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<String> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines, ["line one\npassword=<REDACTED>", "plain"]);
}

#[test]
fn plain_mode_sanitizes_the_whole_input_and_honours_max_len() {
    let out = floe()
        .args(["sanitize", "--max-len", "30"])
        .write_stdin("token=abc123 then a long tail that will be cut off")
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(text, "token=<REDACTED> then a long …");
    assert_eq!(text.chars().count(), 30);
}

#[test]
fn a_line_that_is_not_a_json_string_is_a_clear_error_without_echoing_it() {
    let assert = floe()
        .args(["sanitize", "--jsonl"])
        .write_stdin("\"ok\"\n{\"password\": \"hunter2\"}\n")
        .assert()
        .failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(stderr.contains("expected a JSON string"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
