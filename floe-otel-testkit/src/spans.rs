//! `CapturedSpans`: a snapshot of one capture, and the assertions on it.

use std::fmt::Write as _;

use opentelemetry::trace::SpanId;
use opentelemetry::{Key, KeyValue, Value};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SpanData;

use crate::expect::{Check, SpanExpectation, TreeExpectation, check_span};

/// The spans (and `tracing` log lines) of a capture at one moment.
#[derive(Clone, Debug)]
pub struct CapturedSpans {
    spans: Vec<SpanData>,
    logs: Vec<String>,
    resource: Resource,
}

#[expect(
    clippy::needless_pass_by_value,
    reason = "expectations are taken by value so an assertion reads as one expression"
)]
impl CapturedSpans {
    /// A snapshot from raw span data (for rendering spans captured elsewhere).
    pub fn new(spans: Vec<SpanData>, logs: Vec<String>, resource: Resource) -> Self {
        Self { spans, logs, resource }
    }

    /// The spans, in the order they ended.
    pub fn all(&self) -> &[SpanData] {
        &self.spans
    }

    /// The `tracing` log lines recorded in the capture.
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
        self.spans
            .iter()
            .filter(|span| check_span(expectation, span, &self.spans).iter().all(|c| c.passed))
            .collect()
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

    /// Asserts that exactly one span matches, and returns it.
    ///
    /// # Panics
    /// When none or several match; the message shows the expectation, the closest span
    /// with a per-field diff, every captured name and the rendered tree.
    ///
    /// # Examples
    /// ```should_panic
    /// use floe_otel_testkit::{Capture, expect};
    /// let capture = Capture::start();
    /// // Nothing was traced, so this fails with:
    /// //   expected exactly one span matching:
    /// //   span "alert.send"
    /// //     status: ok
    /// //   found 0 among 0 captured spans: []
    /// capture.assert_one(expect::span("alert.send").ok());
    /// ```
    #[track_caller]
    pub fn assert_one(&self, expectation: SpanExpectation) -> SpanData {
        let found = self.find(&expectation);
        if found.len() == 1 {
            return found[0].clone();
        }
        self.fail(
            &format!("expected exactly one span matching:\n{expectation}"),
            found.len(),
            &expectation,
        )
    }

    /// Asserts that exactly `count` spans match, and returns them.
    ///
    /// # Panics
    /// When another number match; the message is like [`assert_one`](Self::assert_one)'s.
    #[track_caller]
    pub fn assert_count(&self, expectation: SpanExpectation, count: usize) -> Vec<SpanData> {
        let found = self.find(&expectation);
        if found.len() == count {
            return found.into_iter().cloned().collect();
        }
        self.fail(
            &format!("expected {count} spans matching:\n{expectation}"),
            found.len(),
            &expectation,
        )
    }

    /// Asserts that at least one span matches, and returns the first to end.
    ///
    /// # Panics
    /// When none match.
    #[track_caller]
    pub fn assert_some(&self, expectation: SpanExpectation) -> SpanData {
        match self.find(&expectation).first() {
            Some(span) => (*span).clone(),
            None => self.fail(
                &format!("expected at least one span matching:\n{expectation}"),
                0,
                &expectation,
            ),
        }
    }

    /// Asserts that no span matches.
    ///
    /// # Panics
    /// When one does.
    #[track_caller]
    pub fn assert_none(&self, expectation: SpanExpectation) {
        let found = self.find(&expectation);
        if !found.is_empty() {
            self.fail(
                &format!("expected no span matching:\n{expectation}"),
                found.len(),
                &expectation,
            );
        }
    }

    /// Asserts that the capture holds exactly one span per expectation, in any order, and
    /// nothing else.
    ///
    /// # Panics
    /// When a span is missing or an extra one was captured.
    #[track_caller]
    pub fn assert_exactly(&self, expectations: impl IntoIterator<Item = SpanExpectation>) {
        let expectations: Vec<_> = expectations.into_iter().collect();
        for expectation in &expectations {
            if self.find(expectation).is_empty() {
                self.fail(&format!("expected a span matching:\n{expectation}"), 0, expectation);
            }
        }
        if expectations.len() != self.spans.len() {
            let wanted: Vec<_> = expectations.iter().map(|e| e.name.as_str()).collect();
            self.fail_plain(&format!(
                "expected exactly {} spans {:?}, captured {}",
                expectations.len(),
                wanted,
                self.spans.len()
            ));
        }
    }

    /// Asserts that some span matches the root of `tree` and its descendants match the
    /// rest of it.
    ///
    /// # Panics
    /// When no span does; the message shows the expected and the captured tree.
    #[track_caller]
    pub fn assert_tree(&self, tree: TreeExpectation) {
        if !self.spans.iter().any(|span| tree.matches(span, &self.spans)) {
            self.fail_plain(&format!("expected a span tree:\n{}", tree.describe(1)));
        }
    }

    /// Renders the spans as a tree (see [`crate::render::span_tree`]).
    pub fn render(&self) -> String {
        crate::render::span_tree(self)
    }

    #[track_caller]
    fn fail(&self, headline: &str, found: usize, expectation: &SpanExpectation) -> ! {
        let mut message = format!(
            "{headline}\nfound {found} among {} captured spans: {:?}",
            self.spans.len(),
            self.names()
        );
        if let Some((index, checks)) = self.closest(expectation) {
            let span = &self.spans[index];
            let id = crate::render::tree_ids(self)
                .get(&span.span_context.span_id())
                .copied()
                .unwrap_or(0);
            let _ = write!(message, "\n\nclosest span: {:?} (#{id} in the tree below)", span.name);
            for check in checks {
                let mark = if check.passed { "  ok  " } else { "  FAIL" };
                let _ = write!(message, "\n{mark} {}", check.field);
                if !check.passed {
                    let _ = write!(message, "\n         actual: {}", check.actual);
                }
            }
        }
        self.fail_plain(&message)
    }

    #[track_caller]
    pub(crate) fn fail_plain(&self, message: &str) -> ! {
        let artifact = crate::artifact::save_failure_trace(self);
        panic!("{message}\n\ncaptured tree:\n{}{artifact}", self.render());
    }

    /// The span with the fewest failing checks (a same-named one wins ties).
    fn closest(&self, expectation: &SpanExpectation) -> Option<(usize, Vec<Check>)> {
        self.spans
            .iter()
            .enumerate()
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
