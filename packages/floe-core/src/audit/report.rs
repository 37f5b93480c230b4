//! Rendering an [`AuditReport`] as a table.

use std::fmt::Write as _;

use super::AuditReport;

impl AuditReport {
    /// A readable table: one row per finding, how to fix each warning, then a summary.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        if !self.findings.is_empty() {
            let rows: Vec<Vec<String>> = self
                .findings
                .iter()
                .map(|f| {
                    let level = if f.rule.is_warning() { "warning" } else { "info" };
                    vec![
                        level.to_owned(),
                        f.rule_id.to_owned(),
                        f.plugin.clone(),
                        f.message.clone(),
                    ]
                })
                .collect();
            out.push_str(&crate::text::table(&["level", "rule", "plugin", "finding"], &rows));
            for finding in self.warnings() {
                let _ = writeln!(out, "  fix {}: {}", finding.plugin, finding.remediation);
            }
        }
        let warnings = self.warnings().count();
        let excluded = self.findings.len() - warnings;
        let _ = writeln!(
            out,
            "audit: {} plugins, {} instrumented, {warnings} warnings, {excluded} excluded by policy",
            self.audited,
            self.instrumented.len()
        );
        out
    }
}
