//! Plain text: tables for command output, and the first line of a peer's message.

use std::fmt::Write as _;

/// A left-aligned table: a header line, then one line per row; trailing blanks trimmed.
///
/// # Examples
/// ```
/// let text = floe_core::text::table(&["name", "tracer"], &[vec!["slack".into(), "floe.alert.slack".into()]]);
/// assert_eq!(text, "name   tracer\nslack  floe.alert.slack\n");
/// ```
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .chain([headers[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let _ = write!(text, "{cell:<w$}  ", w = widths.get(i).copied().unwrap_or(0));
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(headers);
    for row in rows {
        line(&row.iter().map(String::as_str).collect::<Vec<_>>());
    }
    out
}

/// The first non-blank line of `text`, trimmed: what an error message may quote from a
/// peer whose later lines repeat the request (a database echoing the statement, a tool
/// printing a traceback).
///
/// # Examples
/// ```
/// let text = "\n  Catalog Error: Table x does not exist\nLINE 1: SELECT * FROM x";
/// assert_eq!(floe_core::text::first_line(text), "Catalog Error: Table x does not exist");
/// ```
pub fn first_line(text: &str) -> &str {
    text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default()
}
