//! SQL text built from configuration: quoting, and the statements that attach an Iceberg
//! REST catalog with an allow-list of `ATTACH` options.

use std::collections::BTreeMap;

use floe_core::plugin::categories::CatalogAttachment;

use crate::DuckDbComputeError;

/// How an `ATTACH` option's value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OptionKind {
    /// A string literal.
    Text,
    /// `TRUE` or `FALSE`.
    Boolean,
}

/// The `ATTACH ... (TYPE iceberg, ...)` options floe passes on (DuckDB iceberg extension,
/// 1.5); `TYPE` and `ENDPOINT` are written by floe itself.
const ALLOWED_OPTIONS: &[(&str, OptionKind)] = &[
    ("ACCESS_DELEGATION_MODE", OptionKind::Text),
    ("AUTHORIZATION_TYPE", OptionKind::Text),
    ("CLIENT_ID", OptionKind::Text),
    ("CLIENT_SECRET", OptionKind::Text),
    ("DEFAULT_REGION", OptionKind::Text),
    ("DEFAULT_SCHEMA", OptionKind::Text),
    ("DISABLE_MULTI_TABLE_COMMIT", OptionKind::Boolean),
    ("ENDPOINT_TYPE", OptionKind::Text),
    ("OAUTH2_GRANT_TYPE", OptionKind::Text),
    ("OAUTH2_SCOPE", OptionKind::Text),
    ("OAUTH2_SERVER_URI", OptionKind::Text),
    ("REMOVE_FILES_ON_DELETE", OptionKind::Boolean),
    ("SECRET", OptionKind::Text),
    ("STAGE_CREATE_TABLES", OptionKind::Boolean),
    ("SUPPORT_NESTED_NAMESPACES", OptionKind::Boolean),
    ("TOKEN", OptionKind::Text),
];

/// The option names the allow-list accepts.
pub fn allowed_options() -> impl Iterator<Item = &'static str> {
    ALLOWED_OPTIONS.iter().map(|(name, _)| *name)
}

/// `value` as a SQL string literal: wrapped in single quotes, each single quote doubled.
/// DuckDB reads no other escape in a standard literal, so the value cannot end the literal
/// early, whatever it holds.
pub fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// `name` as a quoted SQL identifier, each double quote doubled.
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Whether `name` is a plain SQL identifier (ASCII letter or underscore, then letters,
/// digits, underscores): what floe accepts for aliases, setting and extension names.
pub use floe_core::text::is_identifier;

/// The checked options of `catalog`: canonical (upper-case) names in order, with their
/// values written as SQL.
///
/// # Errors
/// A name outside the allow-list, a boolean that is not `true`/`false`, or a value holding
/// a NUL character (which DuckDB would cut the literal at).
pub fn checked_options(
    options: &BTreeMap<String, String>,
) -> Result<Vec<(&'static str, String)>, DuckDbComputeError> {
    let mut out = Vec::with_capacity(options.len());
    for (name, value) in options {
        let upper = name.to_ascii_uppercase();
        let Some(&(canonical, kind)) = ALLOWED_OPTIONS.iter().find(|(n, _)| *n == upper) else {
            return Err(DuckDbComputeError::OptionNotAllowed { name: name.clone() });
        };
        if value.contains('\0') {
            return Err(DuckDbComputeError::InvalidOptionValue {
                name: canonical,
                expected: "text without NUL characters",
            });
        }
        let sql = match kind {
            OptionKind::Text => quote_literal(value),
            OptionKind::Boolean => match value.to_ascii_lowercase().as_str() {
                "true" => "TRUE".to_owned(),
                "false" => "FALSE".to_owned(),
                _ => {
                    return Err(DuckDbComputeError::InvalidOptionValue {
                        name: canonical,
                        expected: "true or false",
                    });
                }
            },
        };
        out.push((canonical, sql));
    }
    out.sort_by_key(|(name, _)| *name);
    Ok(out)
}

/// The statements that attach `catalog`: install and load the iceberg and httpfs
/// extensions, then `ATTACH '<warehouse>' AS "<alias>" (TYPE iceberg, ENDPOINT '<uri>', ...)`.
///
/// # Errors
/// An alias that is not an identifier, or an option [`checked_options`] rejects.
pub fn attach_statements(catalog: &CatalogAttachment) -> Result<Vec<String>, DuckDbComputeError> {
    if !is_identifier(&catalog.alias) {
        return Err(DuckDbComputeError::InvalidAlias { alias: catalog.alias.clone() });
    }
    for (what, value) in [("uri", &catalog.uri), ("warehouse", &catalog.warehouse)] {
        if value.contains('\0') {
            return Err(DuckDbComputeError::InvalidOptionValue {
                name: what,
                expected: "text without NUL characters",
            });
        }
    }
    let mut options =
        vec!["TYPE iceberg".to_owned(), format!("ENDPOINT {}", quote_literal(&catalog.uri))];
    options.extend(
        checked_options(&catalog.options)?.into_iter().map(|(name, sql)| format!("{name} {sql}")),
    );
    Ok(vec![
        "INSTALL httpfs".to_owned(),
        "LOAD httpfs".to_owned(),
        "INSTALL iceberg".to_owned(),
        "LOAD iceberg".to_owned(),
        format!(
            "ATTACH {} AS {} ({})",
            quote_literal(&catalog.warehouse),
            quote_identifier(&catalog.alias),
            options.join(", ")
        ),
    ])
}
