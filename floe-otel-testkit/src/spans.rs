//! `CapturedSpans`: a snapshot of one capture, and what every assertion on it shares
//! (the checks before it runs, and the failure report).

use std::fmt::Write as _;

use opentelemetry::trace::SpanId;
use opentelemetry::{Key, KeyValue, Value};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SpanData;
use tracing::Level;

use crate::expect::{Check, SpanExpectation, check_span};

/// The spans (and `tracing` log lines) of a capture at one moment.
#[derive(Clone, Debug)]
pub struct CapturedSpans {
    spans: Vec<SpanData>,
    logs: Vec<String>,
    resource: Resource,
    state: CaptureState,
}

/// What a capture knew when the snapshot was taken.
#[derive(Clone, Debug)]
pub(crate) struct CaptureState {
    /// Entry points that no longer route to the testkit, one sentence each.
    pub(crate) problems: Vec<String>,
    /// The test declared that it expects no span.
    pub(crate) expect_empty: bool,
    /// The lowest level of `tracing` events shown in failure output.
    pub(crate) event_level: Level,
}

impl Default for CaptureState {
    fn default() -> Self {
        Self { problems: Vec::new(), expect_empty: false, event_level: Level::INFO }
    }
}

impl CapturedSpans {
    /// A snapshot from raw span data (for rendering spans captured elsewhere); `logs` are
    /// lines as [`Capture::logs`](crate::Capture::logs) gives them.
    pub fn new(spans: Vec<SpanData>, logs: Vec<String>, resource: Resource) -> Self {
        Self { spans, logs, resource, state: CaptureState::default() }
    }

    pub(crate) fn with_state(mut self, state: CaptureState) -> Self {
        self.state = state;
        self
    }

    /// The spans, in the order they ended.
    pub fn all(&self) -> &[SpanData] {
        &self.spans
    }

    /// The `tracing` log lines recorded in the capture, every level.
    pub fn logs(&self) -> &[String] {
        &self.logs
    }

    /// The resource of the provider that produced the spans.
    pub fn resource(&self) -> &Resource {
        &self.resource
    }

    /// How many spans there are.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The names of all spans, in the order they ended.
    pub fn names(&self) -> Vec<&str> {
        self.spans.iter().map(|s| s.name.as_ref()).collect()
    }

    /// The spans matching `expectation`.
    pub fn find(&self, expectation: &SpanExpectation) -> Vec<&SpanData> {
        self.spans.iter().filter(|span| self.matches(expectation, span)).collect()
    }

    pub(crate) fn matches(&self, expectation: &SpanExpectation, span: &SpanData) -> bool {
        check_span(expectation, span, &self.spans).iter().all(|c| c.passed)
    }

    /// The roots of the capture: spans whose parent was not captured.
    pub fn roots(&self) -> Vec<&SpanData> {
        let mut roots: Vec<_> =
            self.spans.iter().filter(|s| parent_of(s, &self.spans).is_none()).collect();
        roots.sort_by_key(|s| s.start_time);
        roots
    }

    /// The captured children of `span`, in start order.
    pub fn children(&self, span: &SpanData) -> Vec<&SpanData> {
        children_of(span, &self.spans)
    }

    /// Renders the spans as a tree (see [`crate::render::span_tree`]).
    pub fn render(&self) -> String {
        crate::render::span_tree(self)
    }

    /// Runs before every assertion: fails when an entry point no longer routes to the
    /// testkit, and, for an absence check (`absence`), when the capture is empty without
    /// the test having declared so, or holds spans although it declared none.
    #[track_caller]
    pub(crate) fn precheck(&self, assertion: &str, absence: bool) {
        if !self.state.problems.is_empty() {
            self.fail_plain(&format!(
                "{assertion} cannot trust this capture:\n  - {}",
                self.state.problems.join("\n  - ")
            ));
        }
        if self.state.expect_empty && !self.spans.is_empty() {
            self.fail_plain(&format!(
                "{assertion}: the test declared `expect_no_spans()`, but the capture holds {} span(s): {:?}",
                self.spans.len(),
                self.names()
            ));
        }
        if absence && self.spans.is_empty() && !self.state.expect_empty {
            self.fail_plain(&format!(
                "{assertion} on a capture that holds no span at all: it would pass whatever the \
                 code did. Run the operation inside the capture (on this thread, or in work \
                 that carries `capture.context()` / `capture.bind(..)`), or, if no span is \
                 the expected outcome, say so with `capture.expect_no_spans()`"
            ));
        }
    }

    #[track_caller]
    pub(crate) fn fail(&self, headline: &str, found: usize, expectation: &SpanExpectation) -> ! {
        let mut message = format!(
            "{headline}\nfound {found} among {} captured spans: {:?}",
            self.spans.len(),
            self.names()
        );
        if let Some((index, checks)) = self.closest(expectation, None) {
            self.describe_closest(&mut message, index, &checks);
        }
        self.fail_plain(&message)
    }

    pub(crate) fn describe_closest(&self, message: &mut String, index: usize, checks: &[Check]) {
        let span = &self.spans[index];
        let id =
            crate::render::tree_ids(self).get(&span.span_context.span_id()).copied().unwrap_or(0);
        let _ = write!(message, "\n\nclosest span: {:?} (#{id} in the tree below)", span.name);
        for check in checks {
            let mark = if check.passed { "  ok  " } else { "  FAIL" };
            let _ = write!(message, "\n{mark} {}", check.field);
            if !check.passed {
                let _ = write!(message, "\n         actual: {}", check.actual);
            }
        }
    }

    /// Panics with `message`, the captured tree (`tracing` events below the capture's
    /// level hidden), the captured `tracing` log lines from that level up, and where the
    /// trace was saved.
    #[track_caller]
    pub(crate) fn fail_plain(&self, message: &str) -> ! {
        let artifact = crate::artifact::save_failure_trace(self);
        let level = self.state.event_level;
        let options = crate::render::RenderOptions::default().events_from(level);
        let tree = crate::render::span_tree_with(self, &options);
        let logs = self.logs_section(level);
        panic!("{message}\n\ncaptured tree:\n{tree}{logs}{artifact}");
    }

    fn logs_section(&self, level: Level) -> String {
        let shown: Vec<&String> =
            self.logs.iter().filter(|line| crate::render::line_at_least(line, level)).collect();
        let hidden = self.logs.len() - shown.len();
        if shown.is_empty() && hidden == 0 {
            return String::new();
        }
        let mut out = format!("\ncaptured `tracing` events ({level} and above");
        if hidden > 0 {
            let _ = write!(out, "; {hidden} below {level} hidden, see `Capture::show_events_from`");
        }
        out.push_str("):\n");
        for line in shown {
            let _ = writeln!(out, "  {line}");
        }
        out
    }

    /// The span with the fewest failing checks (a same-named one wins ties), among those
    /// `allowed` (every span when `None`).
    pub(crate) fn closest(
        &self,
        expectation: &SpanExpectation,
        allowed: Option<&[bool]>,
    ) -> Option<(usize, Vec<Check>)> {
        self.spans
            .iter()
            .enumerate()
            .filter(|(i, _)| allowed.is_none_or(|a| a[*i]))
            .map(|(i, span)| (i, check_span(expectation, span, &self.spans)))
            .min_by_key(|(i, checks)| {
                let failed = checks.iter().filter(|c| !c.passed).count();
                (failed, self.spans[*i].name != expectation.name)
            })
    }
}

/// The value recorded last for `key` (setting an attribute twice keeps both entries).
pub(crate) fn last_attr<'a>(attributes: &'a [KeyValue], key: &Key) -> Option<&'a Value> {
    attributes.iter().rev().find(|kv| kv.key == *key).map(|kv| &kv.value)
}

/// The captured parent of `span`, if any.
pub(crate) fn parent_of<'a>(span: &SpanData, all: &'a [SpanData]) -> Option<&'a SpanData> {
    if span.parent_span_id == SpanId::INVALID {
        return None;
    }
    all.iter().find(|s| s.span_context.span_id() == span.parent_span_id)
}

/// The captured children of `span`, in start order (ties by name).
pub(crate) fn children_of<'a>(span: &SpanData, all: &'a [SpanData]) -> Vec<&'a SpanData> {
    let id = span.span_context.span_id();
    let mut children: Vec<_> = all.iter().filter(|s| s.parent_span_id == id).collect();
    children.sort_by(|a, b| a.start_time.cmp(&b.start_time).then_with(|| a.name.cmp(&b.name)));
    children
}
