//! Secret-leak checks: find a planted credential, or any 8-character fragment of it, in
//! every string a span carries.

use std::fmt;

use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::trace::SpanData;

use crate::spans::{CapturedSpans, last_attr};

/// The shortest fragment of a secret that counts as a leak.
pub const FRAGMENT_LEN: usize = 8;

/// Where a planted secret (or a fragment of it) was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leak {
    /// `span "alert.send" attribute url.full`, `resource attribute x`, `log line 3`, ...
    pub location: String,
    /// The fragment found.
    pub fragment: String,
}

impl fmt::Display for Leak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: contains {:?}", self.location, self.fragment)
    }
}

/// The needles searched for: the secret, every [`FRAGMENT_LEN`]-character window of it,
/// and its percent-encoded and JSON-escaped forms (so an encoded leak is found too).
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
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.trim_matches('"').to_owned();
    for encoded in [percent, json] {
        if !out.contains(&encoded) {
            out.push(encoded);
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

/// The first needle found in `text`.
fn find_in(text: &str, needles: &[String]) -> Option<String> {
    needles.iter().find(|n| text.contains(n.as_str())).cloned()
}

fn value_strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.as_str().to_owned()],
        Value::Array(array) => match array {
            opentelemetry::Array::String(items) => {
                items.iter().map(|s| s.as_str().to_owned()).collect()
            }
            other => vec![format!("{other:?}")],
        },
        other => vec![other.to_string()],
    }
}

fn scan_attributes(
    location: &str,
    attributes: &[KeyValue],
    needles: &[String],
    out: &mut Vec<Leak>,
) {
    for kv in attributes {
        if let Some(fragment) = find_in(kv.key.as_str(), needles) {
            out.push(Leak {
                location: format!("{location} attribute key {:?}", kv.key.as_str()),
                fragment,
            });
        }
        for text in value_strings(&kv.value) {
            if let Some(fragment) = find_in(&text, needles) {
                out.push(Leak { location: format!("{location} attribute {}", kv.key), fragment });
            }
        }
    }
}

fn scan_with(span: &SpanData, needles: &[String], out: &mut Vec<Leak>) {
    let at = format!("span {:?}", span.name);
    if let Some(fragment) = find_in(&span.name, needles) {
        out.push(Leak { location: format!("{at} name"), fragment });
    }
    scan_attributes(&at, &span.attributes, needles, out);
    for event in span.events.iter() {
        let location = format!("{at} event {:?}", event.name);
        if let Some(fragment) = find_in(&event.name, needles) {
            out.push(Leak { location: format!("{location} name"), fragment });
        }
        scan_attributes(&location, &event.attributes, needles, out);
    }
    for link in span.links.iter() {
        scan_attributes(&format!("{at} link"), &link.attributes, needles, out);
        if let Some(fragment) = find_in(&link.span_context.trace_state().header(), needles) {
            out.push(Leak { location: format!("{at} link trace state"), fragment });
        }
    }
    if let opentelemetry::trace::Status::Error { description } = &span.status
        && let Some(fragment) = find_in(description, needles)
    {
        out.push(Leak { location: format!("{at} status description"), fragment });
    }
    let scope = &span.instrumentation_scope;
    for text in [Some(scope.name()), scope.version(), scope.schema_url()].into_iter().flatten() {
        if let Some(fragment) = find_in(text, needles) {
            out.push(Leak { location: format!("{at} instrumentation scope"), fragment });
        }
    }
    let scope_attributes: Vec<KeyValue> = scope.attributes().cloned().collect();
    scan_attributes(&format!("{at} scope"), &scope_attributes, needles, out);
}

/// Every place `secret` (or a fragment of it) appears on `span`.
pub fn scan_span(span: &SpanData, secret: &str) -> Vec<Leak> {
    let mut out = Vec::new();
    scan_with(span, &needles(secret), &mut out);
    out
}

/// Every place `secret` appears in a capture: spans, resource and log lines.
pub fn scan(spans: &CapturedSpans, secret: &str) -> Vec<Leak> {
    let needles = needles(secret);
    let mut out = Vec::new();
    for span in spans.all() {
        scan_with(span, &needles, &mut out);
    }
    let resource: Vec<KeyValue> =
        spans.resource().iter().map(|(k, v)| KeyValue::new(k.clone(), v.clone())).collect();
    scan_attributes("resource", &resource, &needles, &mut out);
    for (index, line) in spans.logs().iter().enumerate() {
        if let Some(fragment) = find_in(line, &needles) {
            out.push(Leak { location: format!("log line {}", index + 1), fragment });
        }
    }
    out
}

/// Asserts that `text` (an error message, a log, command output) holds no part of
/// `secret`; `what` names the text in the failure message.
///
/// # Panics
/// When it does.
///
/// # Examples
/// ```should_panic
/// // Fails with: error message leaks the planted secret: contains "hunter2-"
/// floe_otel_testkit::leak::assert_text_clean("error message", "login failed for hunter2-FLOE", "hunter2-FLOE");
/// ```
#[track_caller]
pub fn assert_text_clean(what: &str, text: &str, secret: &str) {
    if let Some(fragment) = find_in(text, &needles(secret)) {
        panic!("{what} leaks the planted secret: contains {fragment:?}\n{what}: {text}");
    }
}

impl CapturedSpans {
    /// Asserts that `secret`, any [`FRAGMENT_LEN`]-character fragment of it, and its
    /// percent-encoded and JSON-escaped forms appear nowhere in the capture: span names,
    /// attributes (arrays included), events, links, status descriptions, scopes, the
    /// resource and the captured log lines.
    ///
    /// `tracing` events of every level are scanned: a DEBUG line carrying a credential is
    /// a leak even though failure output does not show DEBUG lines by default.
    ///
    /// # Panics
    /// When found; the message lists every place. When the capture holds no span at all,
    /// unless the test declared it expects none
    /// ([`Capture::expect_no_spans`](crate::Capture::expect_no_spans)).
    ///
    /// # Examples
    /// ```should_panic
    /// use floe_otel_testkit::Capture;
    /// use opentelemetry::trace::{Span as _, Tracer as _};
    ///
    /// let capture = Capture::start();
    /// let mut span = opentelemetry::global::tracer("my-lib").start("x.y");
    /// span.add_event("retry", vec![opentelemetry::KeyValue::new("url", "https://u:FLOE-s3cr3t-value@h")]);
    /// span.end();
    /// // Fails with: the planted secret leaked: span "x.y" event "retry" attribute url: contains "FLOE-s3cr3t-value"
    /// capture.assert_no_secret("FLOE-s3cr3t-value");
    /// ```
    #[track_caller]
    pub fn assert_no_secret(&self, secret: &str) {
        self.precheck("assert_no_secret", true);
        let leaks = scan(self, secret);
        if !leaks.is_empty() {
            let list: Vec<String> = leaks.iter().map(ToString::to_string).collect();
            self.fail_plain(&format!("the planted secret leaked: {}", list.join("\n  ")));
        }
    }

    /// Asserts that `secret` is nowhere a test can see it: not in the capture (as
    /// [`assert_no_secret`](Self::assert_no_secret) checks: spans, resource, log lines)
    /// and not in any of `texts` (the operation's error message and its `Debug` form,
    /// command output). One call per planted credential.
    ///
    /// # Panics
    /// When found, naming where; when the capture holds no span at all, unless the test
    /// declared it expects none.
    ///
    /// # Examples
    /// ```
    /// use opentelemetry::trace::Tracer as _;
    ///
    /// let capture = floe_otel_testkit::Capture::start();
    /// opentelemetry::global::tracer("my-lib").in_span("auth.login", |_| {});
    /// capture.spans().assert_secret_nowhere("FLOETEST-hunter2", &["login refused for user ops"]);
    /// ```
    ///
    /// ```should_panic
    /// use opentelemetry::trace::Tracer as _;
    ///
    /// let capture = floe_otel_testkit::Capture::start();
    /// opentelemetry::global::tracer("my-lib").in_span("auth.login", |_| {});
    /// // Fails with: text 1 leaks the planted secret: contains "FLOETEST-hunter2"
    /// capture.spans().assert_secret_nowhere("FLOETEST-hunter2", &["bad password FLOETEST-hunter2"]);
    /// ```
    #[track_caller]
    pub fn assert_secret_nowhere(&self, secret: &str, texts: &[&str]) {
        self.precheck("assert_secret_nowhere", true);
        self.assert_no_secret(secret);
        for (index, text) in texts.iter().enumerate() {
            assert_text_clean(&format!("text {}", index + 1), text, secret);
        }
    }

    /// Asserts that the span matching `expectation` carries attribute `key` and that its
    /// value is redacted (holds `<REDACTED>` or `<redacted>`) with no part of `secret`:
    /// an attribute that silently vanished does not pass.
    ///
    /// # Panics
    /// When the span or the attribute is missing, or the value is not redacted.
    #[track_caller]
    pub fn assert_redacted(
        &self,
        expectation: crate::expect::SpanExpectation,
        key: impl Into<opentelemetry::Key>,
        secret: &str,
    ) {
        let key = key.into();
        let span = self.assert_one(expectation);
        let Some(value) = last_attr(&span.attributes, &key) else {
            self.fail_plain(&format!(
                "attribute {key} is absent on span {:?}: a redacted attribute must still be recorded",
                span.name
            ));
        };
        let texts = value_strings(value);
        let marked = texts.iter().any(|t| {
            t.contains(floe_telemetry::MARKER) || t.contains(floe_telemetry::secret::REDACTED)
        });
        let leaks = scan_span(&span, secret);
        if !marked || !leaks.is_empty() {
            self.fail_plain(&format!(
                "attribute {key} on span {:?} is not redacted: {}{}",
                span.name,
                crate::render::value(value),
                if leaks.is_empty() { String::new() } else { format!(" (leaks: {leaks:?})") }
            ));
        }
    }
}
