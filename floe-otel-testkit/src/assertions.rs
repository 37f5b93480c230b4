//! The span assertions of [`CapturedSpans`]: one, some, a count, none, exactly these, a
//! tree, the whole trace.

use std::fmt::Write as _;

use opentelemetry_sdk::trace::SpanData;

use crate::CapturedSpans;
use crate::expect::{SpanExpectation, TreeExpectation};

#[expect(
    clippy::needless_pass_by_value,
    reason = "expectations are taken by value so an assertion reads as one expression"
)]
impl CapturedSpans {
    /// Asserts that exactly one span matches, and returns it.
    ///
    /// # Panics
    /// When none or several match; the message shows the expectation, the closest span
    /// with a per-field diff, every captured name and the rendered tree.
    ///
    /// # Examples
    /// ```should_panic
    /// use floe_otel_testkit::{Capture, expect};
    /// use opentelemetry::trace::{Span as _, Status, Tracer as _};
    ///
    /// let capture = Capture::start();
    /// let mut span = opentelemetry::global::tracer("my-lib").start("cart.checkout");
    /// span.set_status(Status::error("card declined"));
    /// span.end();
    /// // Fails with:
    /// //   expected exactly one span matching:
    /// //   span "cart.checkout"
    /// //     status: ok
    /// //   found 0 among 1 captured spans: ["cart.checkout"]
    /// //
    /// //   closest span: "cart.checkout" (#1 in the tree below)
    /// //     ok   name "cart.checkout"
    /// //     FAIL status ok
    /// //          actual: error "card declined"
    /// capture.assert_one(expect::span("cart.checkout").ok());
    /// ```
    #[track_caller]
    pub fn assert_one(&self, expectation: SpanExpectation) -> SpanData {
        self.precheck("assert_one", false);
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
        self.precheck("assert_count", false);
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
        self.precheck("assert_some", false);
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
    /// When one does; and when the capture holds no span at all, unless the test declared
    /// it expects none ([`Capture::expect_no_spans`](crate::Capture::expect_no_spans)):
    /// "nothing matched" proves nothing about code that never ran.
    ///
    /// # Examples
    /// ```should_panic
    /// use floe_otel_testkit::{Capture, expect};
    ///
    /// let capture = Capture::start();
    /// // Nothing ran, so this fails with:
    /// //   assert_none on a capture that holds no span at all: it would pass whatever
    /// //   the code did. ...
    /// capture.assert_none(expect::span("cart.checkout").error());
    /// ```
    #[track_caller]
    pub fn assert_none(&self, expectation: SpanExpectation) {
        self.precheck("assert_none", true);
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
    /// nothing else: each expectation is paired with a distinct span (two expectations
    /// never share one span).
    ///
    /// # Panics
    /// When a span is missing, an extra one was captured, or no pairing of expectations
    /// with distinct spans exists.
    ///
    /// # Examples
    /// ```should_panic
    /// use floe_otel_testkit::{Capture, expect};
    /// use opentelemetry::trace::Tracer as _;
    ///
    /// let capture = Capture::start();
    /// let tracer = opentelemetry::global::tracer("my-lib");
    /// tracer.in_span("a", |_| {});
    /// tracer.in_span("b", |_| {});
    /// capture.assert_exactly([expect::span("b"), expect::span("a")]);
    /// // Fails with:
    /// //   expected 2 spans, one per expectation, but only 1 could be paired with a
    /// //   distinct span: no span is left for expectation #2:
    /// //   span "a"
    /// capture.assert_exactly([expect::span("a"), expect::span("a")]);
    /// ```
    #[track_caller]
    pub fn assert_exactly(&self, expectations: impl IntoIterator<Item = SpanExpectation>) {
        self.precheck("assert_exactly", false);
        let expectations: Vec<_> = expectations.into_iter().collect();
        for expectation in &expectations {
            if self.find(expectation).is_empty() {
                self.fail(&format!("expected a span matching:\n{expectation}"), 0, expectation);
            }
        }
        if expectations.len() != self.len() {
            let wanted: Vec<_> = expectations.iter().map(|e| e.name.as_str()).collect();
            self.fail_plain(&format!(
                "expected exactly {} spans {:?}, captured {}: {:?}",
                expectations.len(),
                wanted,
                self.len(),
                self.names()
            ));
        }
        let paired = crate::matching::pair(expectations.len(), self.len(), |i, j| {
            self.matches(&expectations[i], &self.all()[j])
        });
        let Some(unpaired) = paired.iter().position(Option::is_none) else { return };
        let count = paired.iter().filter(|p| p.is_some()).count();
        let expectation = &expectations[unpaired];
        let mut message = format!(
            "expected {} spans, one per expectation, but only {count} could be paired with a \
             distinct span: no span is left for expectation #{}:\n{expectation}",
            expectations.len(),
            unpaired + 1,
        );
        let mut taken: Vec<String> = Vec::new();
        for (i, span) in paired.iter().enumerate() {
            if let Some(j) = span
                && self.matches(expectation, &self.all()[*j])
            {
                taken.push(format!("#{} ({:?})", i + 1, expectations[i].name));
            }
        }
        let _ = write!(
            message,
            "\nthe spans matching it are paired with expectations {}",
            taken.join(", ")
        );
        let free: Vec<bool> = (0..self.len()).map(|j| !paired.contains(&Some(j))).collect();
        if let Some((index, checks)) = self.closest(expectation, Some(&free)) {
            self.describe_closest(&mut message, index, &checks);
        }
        self.fail_plain(&message);
    }

    /// Asserts that some span matches the root of `tree` and its descendants match the
    /// rest of it (children in any order unless [`in_order`](TreeExpectation::in_order),
    /// others allowed unless [`exact`](TreeExpectation::exact)).
    ///
    /// # Panics
    /// When no span does; the message shows the expected and the captured tree.
    #[track_caller]
    pub fn assert_tree(&self, tree: TreeExpectation) {
        self.precheck("assert_tree", false);
        if !self.all().iter().any(|span| tree.matches(span, self.all(), false)) {
            self.fail_plain(&format!("expected a span tree:\n{}", tree.describe(1)));
        }
    }

    /// Asserts that the whole capture is exactly these trees: each root of the capture
    /// matches one of `roots` (paired one to one), and every level is exact, so every
    /// captured span is accounted for.
    ///
    /// # Panics
    /// When a span is missing, an extra one was captured anywhere, or the shape differs.
    ///
    /// # Examples
    /// ```should_panic
    /// use floe_otel_testkit::{Capture, expect};
    /// use opentelemetry::trace::Tracer as _;
    ///
    /// let capture = Capture::start();
    /// let tracer = opentelemetry::global::tracer("my-lib");
    /// tracer.in_span("order.place", |_| {
    ///     tracer.in_span("stock.reserve", |_| {});
    ///     tracer.in_span("payment.charge", |_| {});
    /// });
    /// // Fails with:
    /// //   expected the whole trace to be exactly (every level exact):
    /// //     span "order.place"
    /// //       children (in any order, and no others):
    /// //         span "stock.reserve"
    /// capture.assert_trace_exactly([expect::tree(expect::span("order.place"))
    ///     .child(expect::tree(expect::span("stock.reserve")))]);
    /// ```
    #[track_caller]
    pub fn assert_trace_exactly(&self, roots: impl IntoIterator<Item = TreeExpectation>) {
        self.precheck("assert_trace_exactly", false);
        let roots: Vec<TreeExpectation> = roots.into_iter().map(TreeExpectation::exact).collect();
        let actual = self.roots();
        let paired = crate::matching::pair(roots.len(), actual.len(), |i, j| {
            roots[i].matches(actual[j], self.all(), true)
        });
        if roots.len() != actual.len() || paired.iter().any(Option::is_none) {
            let described: Vec<String> = roots.iter().map(|r| r.describe(1)).collect();
            self.fail_plain(&format!(
                "expected the whole trace to be exactly (every level exact):\n{}\n\
                 the capture has {} root span(s): {:?}",
                described.join("\n"),
                actual.len(),
                actual.iter().map(|s| s.name.as_ref()).collect::<Vec<_>>()
            ));
        }
    }
}
