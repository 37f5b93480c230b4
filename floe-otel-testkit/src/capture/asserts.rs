//! The assertions of [`CapturedSpans`], on a [`Capture`]'s spans ended so far.

use opentelemetry_sdk::trace::SpanData;

use super::Capture;
use crate::expect::{SpanExpectation, TreeExpectation};

#[cfg(doc)]
use crate::CapturedSpans;

impl Capture {
    /// See [`CapturedSpans::assert_one`].
    #[track_caller]
    pub fn assert_one(&self, expectation: SpanExpectation) -> SpanData {
        self.spans().assert_one(expectation)
    }

    /// See [`CapturedSpans::assert_count`].
    #[track_caller]
    pub fn assert_count(&self, expectation: SpanExpectation, count: usize) -> Vec<SpanData> {
        self.spans().assert_count(expectation, count)
    }

    /// See [`CapturedSpans::assert_some`].
    #[track_caller]
    pub fn assert_some(&self, expectation: SpanExpectation) -> SpanData {
        self.spans().assert_some(expectation)
    }

    /// See [`CapturedSpans::assert_none`].
    #[track_caller]
    pub fn assert_none(&self, expectation: SpanExpectation) {
        self.spans().assert_none(expectation);
    }

    /// See [`CapturedSpans::assert_exactly`].
    #[track_caller]
    pub fn assert_exactly(&self, expectations: impl IntoIterator<Item = SpanExpectation>) {
        self.spans().assert_exactly(expectations);
    }

    /// See [`CapturedSpans::assert_tree`].
    #[track_caller]
    pub fn assert_tree(&self, tree: TreeExpectation) {
        self.spans().assert_tree(tree);
    }

    /// See [`CapturedSpans::assert_trace_exactly`].
    #[track_caller]
    pub fn assert_trace_exactly(&self, roots: impl IntoIterator<Item = TreeExpectation>) {
        self.spans().assert_trace_exactly(roots);
    }

    /// See [`CapturedSpans::assert_no_secret`].
    #[track_caller]
    pub fn assert_no_secret(&self, secret: &str) {
        self.spans().assert_no_secret(secret);
    }

    /// See [`CapturedSpans::assert_secret_nowhere`].
    #[track_caller]
    pub fn assert_secret_nowhere(&self, secret: &str, texts: &[&str]) {
        self.spans().assert_secret_nowhere(secret, texts);
    }

    /// See [`CapturedSpans::assert_redacted`].
    #[track_caller]
    pub fn assert_redacted(
        &self,
        expectation: SpanExpectation,
        key: impl Into<opentelemetry::Key>,
        secret: &str,
    ) {
        self.spans().assert_redacted(expectation, key, secret);
    }

    /// See [`CapturedSpans::assert_conforms`].
    #[cfg(feature = "floe")]
    #[track_caller]
    pub fn assert_conforms(&self) {
        self.spans().assert_conforms();
    }

    /// See [`CapturedSpans::assert_conforms_in`].
    #[cfg(feature = "floe")]
    #[track_caller]
    pub fn assert_conforms_in(&self, scope: &str) {
        self.spans().assert_conforms_in(scope);
    }
}
