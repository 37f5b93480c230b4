//! A finding of `audit-coverage` or `tidy`: where, which rule, what is wrong, what to write
//! instead; and how a list of them is printed.

use std::fmt::{self, Write as _};

use serde::Serialize;

/// One broken rule at one place.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) struct Finding {
    /// The workspace-relative file.
    pub(crate) path: String,
    /// The 1-based line.
    pub(crate) line: usize,
    /// The rule id (`tracing-assertion`).
    pub(crate) rule: &'static str,
    /// What is wrong.
    pub(crate) message: String,
    /// What to do instead.
    pub(crate) fix: String,
}

impl Finding {
    /// A finding; `fix` says what to write instead.
    pub(crate) fn new(
        path: impl Into<String>,
        line: usize,
        rule: &'static str,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            line: line.max(1),
            rule,
            message: message.into(),
            fix: fix.into(),
        }
    }
}

/// `path:line: rule: message`, then the fix indented on the next line.
impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}\n    fix: {}",
            self.path, self.line, self.rule, self.message, self.fix
        )
    }
}

/// Every finding, one after another, sorted by place.
pub(crate) fn render(findings: &[Finding]) -> String {
    let mut sorted = findings.to_vec();
    sorted.sort();
    let mut out = String::new();
    for finding in &sorted {
        let _ = writeln!(out, "{finding}");
    }
    out
}

/// The 1-based line where `span` starts.
pub(crate) fn line_of(span: proc_macro2::Span) -> usize {
    span.start().line
}
