//! The sanitizer's open corpus (`tests/corpus/sanitizer.jsonl`): leak and damage rates per
//! family, with the gate the project holds the sanitizer to.
//!
//! Each case is a message the way a tool floe drives prints it, labelled with the
//! substrings that must disappear (`secrets`: no 8-character fragment of one may survive,
//! as `floe_otel_testkit::leak` checks span data) and those that must stay (`keep`). A
//! case without secrets is benign and must come back unchanged: any change is damage.
//! Run with `--nocapture` to see the table:
//! `cargo test -p floe-telemetry --test it sanitize_corpus -- --nocapture`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use floe_otel_testkit::leak::FRAGMENT_LEN;
use floe_telemetry::{sanitize_error_message, sanitize_with_max_len};
use serde::Deserialize;

const CORPUS: &str = include_str!("../corpus/sanitizer.jsonl");

/// The gate: no leak at all, at most 1% of benign messages changed, at most 1% of the
/// secret-bearing messages losing a substring they must keep.
const MAX_DAMAGE_PERCENT: usize = 1;
const MAX_OVER_REDACTION_PERCENT: usize = 1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    family: String,
    source: String,
    message: String,
    secrets: Vec<String>,
    keep: Vec<String>,
    #[serde(default)]
    held_out: bool,
    #[serde(default)]
    note: Option<String>,
}

impl Case {
    fn is_benign(&self) -> bool {
        self.secrets.is_empty()
    }
}

#[derive(Default)]
struct Tally {
    cases: usize,
    secret_cases: usize,
    leaks: usize,
    benign: usize,
    damaged: usize,
    over_redacted: usize,
    held_out: usize,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.cases += other.cases;
        self.secret_cases += other.secret_cases;
        self.leaks += other.leaks;
        self.benign += other.benign;
        self.damaged += other.damaged;
        self.over_redacted += other.over_redacted;
        self.held_out += other.held_out;
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    let ratio = |n: usize| f64::from(u32::try_from(n).unwrap_or(u32::MAX));
    if whole == 0 { 0.0 } else { 100.0 * ratio(part) / ratio(whole) }
}

fn load() -> Vec<Case> {
    CORPUS
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("corpus line {}: not a case: {e}", index + 1))
        })
        .collect()
}

/// The secret itself, each of its [`FRAGMENT_LEN`]-character windows, and its
/// percent-encoded and JSON-escaped forms: the needles the testkit's leak checks use.
fn needles(secret: &str) -> Vec<String> {
    let chars: Vec<char> = secret.chars().collect();
    let mut out = vec![secret.to_owned()];
    if chars.len() > FRAGMENT_LEN {
        out.extend(chars.windows(FRAGMENT_LEN).map(|w| w.iter().collect::<String>()));
    }
    let percent: String = secret
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    out.push(percent);
    let json = serde_json::to_string(secret).expect("a string always encodes as JSON");
    out.push(json.trim_matches('"').to_owned());
    out
}

fn leaked_fragment(text: &str, secret: &str) -> Option<String> {
    needles(secret).into_iter().find(|needle| text.contains(needle.as_str()))
}

#[test]
fn corpus_has_no_leak_and_leaves_benign_messages_alone() {
    let cases = load();
    let mut ids = std::collections::HashSet::new();
    for case in &cases {
        assert!(ids.insert(case.id.as_str()), "duplicate corpus id {}", case.id);
        assert!(!case.family.is_empty() && !case.source.is_empty(), "{}: unlabelled", case.id);
        for secret in &case.secrets {
            assert!(case.message.contains(secret.as_str()), "{}: secret not in message", case.id);
        }
        for keep in &case.keep {
            assert!(case.message.contains(keep.as_str()), "{}: keep not in message", case.id);
        }
    }
    let benign = cases.iter().filter(|c| c.is_benign()).count();
    assert!(
        cases.len() >= 600 && benign >= 150,
        "corpus shrank: {} cases, {benign} benign",
        cases.len()
    );

    let mut families: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut failures = String::new();
    for case in &cases {
        let out = sanitize_with_max_len(&case.message, usize::MAX);
        let out = out.as_str();
        let tally = families.entry(case.family.as_str()).or_default();
        tally.cases += 1;
        tally.held_out += usize::from(case.held_out);
        if case.is_benign() {
            tally.benign += 1;
            if out != case.message {
                tally.damaged += 1;
                let _ =
                    writeln!(failures, "DAMAGE {}: {:?}\n    -> {out:?}", case.id, case.message);
            }
            continue;
        }
        tally.secret_cases += 1;
        if let Some(fragment) = case.secrets.iter().find_map(|s| leaked_fragment(out, s)) {
            tally.leaks += 1;
            let note = case.note.as_deref().unwrap_or("");
            let _ = writeln!(failures, "LEAK {} ({fragment:?}) {note}: {out:?}", case.id);
        }
        if let Some(lost) = case.keep.iter().find(|k| !out.contains(k.as_str())) {
            tally.over_redacted += 1;
            let _ = writeln!(failures, "LOST {} ({lost:?}): {out:?}", case.id);
        }
    }

    let mut total = Tally::default();
    let mut table = String::from(
        "family               cases  secret  leaks  leak%  benign  damaged  damage%  keep-lost  held-out\n",
    );
    for (family, t) in &families {
        total.add(t);
        let _ = writeln!(
            table,
            "{family:<20} {:>5}  {:>6}  {:>5}  {:>5.1}  {:>6}  {:>7}  {:>7.1}  {:>9}  {:>8}",
            t.cases,
            t.secret_cases,
            t.leaks,
            percent(t.leaks, t.secret_cases),
            t.benign,
            t.damaged,
            percent(t.damaged, t.benign),
            t.over_redacted,
            t.held_out,
        );
    }
    let _ = writeln!(
        table,
        "{:<20} {:>5}  {:>6}  {:>5}  {:>5.1}  {:>6}  {:>7}  {:>7.1}  {:>9}  {:>8}",
        "all",
        total.cases,
        total.secret_cases,
        total.leaks,
        percent(total.leaks, total.secret_cases),
        total.benign,
        total.damaged,
        percent(total.damaged, total.benign),
        total.over_redacted,
        total.held_out,
    );
    println!("{table}\n{failures}");
    let passed = total.leaks == 0
        && total.damaged * 100 <= MAX_DAMAGE_PERCENT * total.benign
        && total.over_redacted * 100 <= MAX_OVER_REDACTION_PERCENT * total.secret_cases;
    assert!(passed, "sanitizer corpus gate failed\n{table}\n{failures}");
}

#[test]
fn sanitizing_every_corpus_message_is_idempotent() {
    for case in load() {
        for max_len in [usize::MAX, 500, 120] {
            let once = sanitize_with_max_len(&case.message, max_len);
            let twice = sanitize_with_max_len(once.as_str(), max_len);
            assert_eq!(once, twice, "{} at {max_len}: not idempotent", case.id);
        }
        let once = sanitize_error_message(&case.message);
        assert_eq!(sanitize_error_message(once.as_str()), once, "{}: not idempotent", case.id);
    }
}
