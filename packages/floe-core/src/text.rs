//! Plain text: tables for command output, the first line of a peer's message, and the
//! identifier checks for names that plugins write into SQL, YAML or generated code.

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

/// Whether `name` is a plain identifier: an ASCII letter or `_`, then ASCII letters, digits
/// and `_` (SQL identifiers, Cube member names).
///
/// # Examples
/// ```
/// use floe_core::text::is_identifier;
/// assert!(is_identifier("Orders_2"));
/// assert!(!is_identifier("2orders") && !is_identifier("a-b") && !is_identifier(""));
/// ```
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `name` is a lower snake-case identifier: a lower-case ASCII letter or `_`, then
/// lower-case ASCII letters, digits and `_` (dlt dataset and table names, Python names).
///
/// # Examples
/// ```
/// use floe_core::text::is_snake_case_identifier;
/// assert!(is_snake_case_identifier("orders_2") && is_snake_case_identifier("_raw"));
/// assert!(!is_snake_case_identifier("Orders") && !is_snake_case_identifier("2x"));
/// assert!(!is_snake_case_identifier(""));
/// ```
pub fn is_snake_case_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
