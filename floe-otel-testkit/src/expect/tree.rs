//! Expectations about the shape of a span tree.

use std::fmt::Write as _;

use opentelemetry_sdk::trace::SpanData;

use super::{SpanExpectation, check_span};
use crate::spans::children_of;

/// An expected span and the spans expected below it.
#[derive(Clone, Debug)]
pub struct TreeExpectation {
    span: SpanExpectation,
    children: Vec<TreeExpectation>,
    in_order: bool,
    exact: bool,
}

/// Expects a span matching `span`, with children added by
/// [`child`](TreeExpectation::child).
///
/// # Examples
/// ```
/// use floe_otel_testkit::expect;
///
/// let shape = expect::tree(expect::span("floe.compile"))
///     .child(expect::tree(expect::span("compile.load")))
///     .child(expect::tree(expect::span("compile.validate")))
///     .in_order()
///     .exact();
/// # let _ = shape;
/// ```
pub fn tree(span: SpanExpectation) -> TreeExpectation {
    TreeExpectation { span, children: Vec::new(), in_order: false, exact: false }
}

impl TreeExpectation {
    /// Expects a child matching `child`.
    #[must_use]
    pub fn child(mut self, child: TreeExpectation) -> Self {
        self.children.push(child);
        self
    }

    /// Children must have started in the order they were added.
    #[must_use]
    pub fn in_order(mut self) -> Self {
        self.in_order = true;
        self
    }

    /// No children other than the expected ones.
    #[must_use]
    pub fn exact(mut self) -> Self {
        self.exact = true;
        self
    }

    /// Whether `span` and its descendants match this tree; with `whole`, every level is
    /// exact (no child beyond the expected ones), as in a whole-trace match.
    pub(crate) fn matches(&self, span: &SpanData, all: &[SpanData], whole: bool) -> bool {
        if !check_span(&self.span, span, all).iter().all(|c| c.passed) {
            return false;
        }
        let children = children_of(span, all);
        if (self.exact || whole) && children.len() != self.children.len() {
            return false;
        }
        if self.in_order {
            // The expected children form a subsequence of the actual ones.
            let mut next = 0;
            for child in &children {
                if next < self.children.len() && self.children[next].matches(child, all, whole) {
                    next += 1;
                }
            }
            next == self.children.len()
        } else {
            // Each expected child pairs with a distinct actual child.
            crate::matching::pair(self.children.len(), children.len(), |i, j| {
                self.children[i].matches(children[j], all, whole)
            })
            .iter()
            .all(Option::is_some)
        }
    }

    pub(crate) fn describe(&self, depth: usize) -> String {
        let indent = "  ".repeat(depth);
        let mut out =
            format!("{indent}{}", self.span.to_string().replace('\n', &format!("\n{indent}")));
        if !self.children.is_empty() {
            let order = if self.in_order { "in this order" } else { "in any order" };
            let exact = if self.exact { ", and no others" } else { "" };
            let _ = write!(out, "\n{indent}  children ({order}{exact}):");
            for child in &self.children {
                out.push('\n');
                out.push_str(&child.describe(depth + 2));
            }
        }
        out
    }
}
