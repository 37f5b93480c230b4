//! Expectations evaluated as SQL in DuckDB, with results in Great Expectations'
//! validation-result shape.
//!
//! Identifiers (table, column) are quoted; every value (bounds, sets, patterns) is a bound
//! parameter, never SQL text.

use duckdb::types::Value as Sql;
use duckdb::{Connection, params_from_iter};
use floe_core::plugin::categories::{CheckResult, CheckSpec, QualityReport, QualitySuite};
use serde_json::{Value, json};

use crate::suite::{Expectation, column, param};

/// A failed statement: what was being done, and DuckDB's error.
pub(crate) struct Failure {
    pub(crate) what: String,
    pub(crate) error: duckdb::Error,
}

type Outcome<T> = Result<T, Failure>;

fn failed(what: impl Into<String>) -> impl FnOnce(duckdb::Error) -> Failure {
    let what = what.into();
    move |error| Failure { what, error }
}

/// `name` as a quoted identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `schema.table` or `table`, each part quoted.
fn table_sql(target: &str) -> String {
    target.split('.').map(ident).collect::<Vec<_>>().join(".")
}

/// A JSON argument as a bound value.
fn bound(value: &Value) -> Sql {
    match value {
        Value::Bool(b) => Sql::Boolean(*b),
        Value::Number(n) => {
            n.as_i64().map_or_else(|| Sql::Double(n.as_f64().unwrap_or(f64::NAN)), Sql::BigInt)
        }
        Value::String(s) => Sql::Text(s.clone()),
        other => Sql::Text(other.to_string()),
    }
}

/// What a column holds, as far as comparing it with a suite's JSON values goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ColumnKind {
    Number,
    Text,
    Boolean,
    /// Dates, times and the rest: DuckDB compares them with the values itself.
    Other,
}

impl ColumnKind {
    /// The kind of a DuckDB type name (`BIGINT`, `DECIMAL(10,2)`, `VARCHAR`, ...).
    fn of(data_type: &str) -> Self {
        let name = data_type.split('(').next().unwrap_or_default().trim();
        match name {
            "TINYINT" | "SMALLINT" | "INTEGER" | "BIGINT" | "HUGEINT" | "UTINYINT"
            | "USMALLINT" | "UINTEGER" | "UBIGINT" | "UHUGEINT" | "FLOAT" | "DOUBLE" | "REAL"
            | "DECIMAL" | "NUMERIC" => Self::Number,
            "VARCHAR" | "TEXT" | "STRING" | "CHAR" | "BPCHAR" => Self::Text,
            "BOOLEAN" | "BOOL" => Self::Boolean,
            _ => Self::Other,
        }
    }
}

/// A `value_set` entry as a value the column can equal, compared as Great Expectations
/// compares (Python equality): a string never equals a number (DuckDB would cast `'1'`
/// to 1), and `true`/`false` equal 1/0. `None` when no value of the column can equal it.
fn comparable(value: &Value, kind: ColumnKind) -> Option<Sql> {
    match (kind, value) {
        (ColumnKind::Number, Value::Number(_))
        | (ColumnKind::Text, Value::String(_))
        | (ColumnKind::Boolean, Value::Bool(_))
        | (ColumnKind::Other, _) => Some(bound(value)),
        (ColumnKind::Number, Value::Bool(b)) => Some(Sql::BigInt(i64::from(*b))),
        (ColumnKind::Boolean, Value::Number(n)) => match n.as_f64() {
            Some(0.0) => Some(Sql::Boolean(false)),
            Some(1.0) => Some(Sql::Boolean(true)),
            _ => None,
        },
        _ => None,
    }
}

/// Where `column` of `target` is: its zero-based position and its DuckDB type, if it
/// exists.
fn locate_column(
    connection: &Connection,
    check: &CheckSpec,
    target: &str,
) -> Outcome<Option<(u64, String)>> {
    let mut parts: Vec<&str> = target.rsplit('.').collect();
    let table = parts.remove(0);
    let mut sql = "SELECT ordinal_position, data_type FROM information_schema.columns WHERE table_name = ? AND column_name = ?".to_owned();
    let mut params =
        vec![Sql::Text(table.to_owned()), Sql::Text(column(check).unwrap_or_default().to_owned())];
    if let Some(schema) = parts.first() {
        sql.push_str(" AND table_schema = ?");
        params.push(Sql::Text((*schema).to_owned()));
    }
    let mut statement =
        connection.prepare(&sql).map_err(failed(format!("evaluating {}", check.name)))?;
    let mut rows = statement
        .query_map(params_from_iter(params.iter()), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(failed(format!("evaluating {}", check.name)))?;
    rows.next()
        .transpose()
        .map(|found| found.map(|(position, data_type)| (count(position - 1), data_type)))
        .map_err(failed(format!("evaluating {}", check.name)))
}

fn flag(check: &CheckSpec, key: &str) -> bool {
    param(check, key).and_then(Value::as_bool).unwrap_or(false)
}

/// The SQL condition that makes a row unexpected, and its parameters.
fn unexpected(
    check: &CheckSpec,
    expectation: Expectation,
    kind: ColumnKind,
    table: &str,
    col: &str,
) -> (String, Vec<Sql>) {
    let mut params = Vec::new();
    let condition = match expectation {
        Expectation::NotNull => format!("{col} IS NULL"),
        Expectation::Unique => format!(
            "{col} IS NOT NULL AND {col} IN (SELECT {col} FROM {table} WHERE {col} IS NOT NULL GROUP BY {col} HAVING count(*) > 1)"
        ),
        Expectation::Between => {
            let mut outside = Vec::new();
            if let Some(min) = param(check, "min_value") {
                outside.push(format!(
                    "{col} {} ?",
                    if flag(check, "strict_min") { "<=" } else { "<" }
                ));
                params.push(bound(min));
            }
            if let Some(max) = param(check, "max_value") {
                outside.push(format!(
                    "{col} {} ?",
                    if flag(check, "strict_max") { ">=" } else { ">" }
                ));
                params.push(bound(max));
            }
            format!("{col} IS NOT NULL AND ({})", outside.join(" OR "))
        }
        Expectation::InSet => {
            params.extend(
                param(check, "value_set")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|value| comparable(value, kind)),
            );
            if params.is_empty() {
                format!("{col} IS NOT NULL")
            } else {
                format!(
                    "{col} IS NOT NULL AND {col} NOT IN ({})",
                    vec!["?"; params.len()].join(", ")
                )
            }
        }
        Expectation::MatchRegex => {
            params.push(bound(param(check, "regex").unwrap_or(&Value::Null)));
            format!("{col} IS NOT NULL AND NOT regexp_matches(CAST({col} AS VARCHAR), ?)")
        }
        Expectation::RowCountBetween | Expectation::ColumnToExist => "false".to_owned(),
    };
    (condition, params)
}

/// A `count(*)` (never negative) as `u64`.
fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn percent(part: u64, whole: u64) -> Value {
    if whole == 0 {
        Value::Null
    } else {
        #[expect(clippy::cast_precision_loss, reason = "a percentage of row counts")]
        let value = part as f64 * 100.0 / whole as f64;
        json!(value)
    }
}

/// A column-map expectation: counts, `mostly`, and the first unexpected values.
fn column_map(
    connection: &Connection,
    check: &CheckSpec,
    expectation: Expectation,
    target: &str,
    partial: u32,
) -> Outcome<(bool, u64, Value)> {
    let table = table_sql(target);
    let col = ident(column(check).unwrap_or_default());
    let kind = if expectation == Expectation::InSet {
        locate_column(connection, check, target)?
            .map_or(ColumnKind::Other, |(_, data_type)| ColumnKind::of(&data_type))
    } else {
        ColumnKind::Other
    };
    let (condition, params) = unexpected(check, expectation, kind, &table, &col);
    let counts = format!(
        "SELECT count(*), count(*) FILTER (WHERE {col} IS NULL), count(*) FILTER (WHERE {condition}) FROM {table}"
    );
    let (elements, nulls, unexpected_count) = connection
        .query_row(&counts, params_from_iter(params.iter()), |r| {
            Ok((count(r.get(0)?), count(r.get(1)?), count(r.get(2)?)))
        })
        .map_err(failed(format!("evaluating {}", check.name)))?;
    // Nulls are what not_null looks for; for every other expectation they are missing.
    let missing = if expectation == Expectation::NotNull { 0 } else { nulls };
    let nonmissing = elements - missing;
    let sample =
        format!("SELECT to_json({col})::VARCHAR FROM {table} WHERE {condition} LIMIT {partial}");
    let mut statement =
        connection.prepare(&sample).map_err(failed(format!("sampling {}", check.name)))?;
    // A null value (what not_null finds) is SQL NULL, not the JSON text `null`.
    let values: Vec<Value> = statement
        .query_map(params_from_iter(params.iter()), |r| r.get::<_, Option<String>>(0))
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(failed(format!("sampling {}", check.name)))?
        .iter()
        .map(|text| {
            text.as_deref().and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Value::Null)
        })
        .collect();
    let mostly = param(check, "mostly").and_then(Value::as_f64).unwrap_or(1.0);
    // Great Expectations' own arithmetic, so a `mostly` at the boundary decides alike.
    #[expect(clippy::cast_precision_loss, reason = "a fraction of row counts")]
    let success = nonmissing == 0
        || (nonmissing as f64 - unexpected_count as f64) / nonmissing as f64 >= mostly;
    let result = json!({
        "element_count": elements,
        "missing_count": missing,
        "missing_percent": percent(missing, elements),
        "unexpected_count": unexpected_count,
        "unexpected_percent": percent(unexpected_count, nonmissing),
        "unexpected_percent_total": percent(unexpected_count, elements),
        "unexpected_percent_nonmissing": percent(unexpected_count, nonmissing),
        "partial_unexpected_list": values,
    });
    Ok((success, unexpected_count, result))
}

/// One expectation: whether it passed, its failing rows, and its `result` object.
fn expectation_result(
    connection: &Connection,
    check: &CheckSpec,
    target: &str,
    rows: u64,
    partial: u32,
) -> Outcome<(bool, u64, Value)> {
    let Some(expectation) = Expectation::of(&check.kind) else {
        // validate_expectations rejects these before anything runs.
        return Ok((false, 0, json!({})));
    };
    match expectation {
        Expectation::RowCountBetween => {
            let within = |key: &str,
                          strict: &str,
                          keep: fn(f64, f64) -> bool,
                          strictly: fn(f64, f64) -> bool| {
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "comparing a row count with a bound"
                )]
                let count = rows as f64;
                let keep = if flag(check, strict) { strictly } else { keep };
                param(check, key).and_then(Value::as_f64).is_none_or(|bound| keep(count, bound))
            };
            let success = within("min_value", "strict_min", |c, b| c >= b, |c, b| c > b)
                && within("max_value", "strict_max", |c, b| c <= b, |c, b| c < b);
            Ok((success, 0, json!({ "observed_value": rows })))
        }
        Expectation::ColumnToExist => {
            let found = locate_column(connection, check, target)?;
            let wanted = param(check, "column_index").and_then(Value::as_u64);
            let success = found.is_some_and(|(position, _)| wanted.is_none_or(|i| i == position));
            Ok((success, 0, json!({})))
        }
        _ => column_map(connection, check, expectation, target, partial),
    }
}

/// Evaluates every check of `suite` on `connection`: one [`CheckResult`] per check, and
/// Great Expectations' validation result as the report's native document.
pub(crate) fn evaluate(
    connection: &Connection,
    suite: &QualitySuite,
    partial: u32,
) -> Outcome<QualityReport> {
    let rows = connection
        .query_row(&format!("SELECT count(*) FROM {}", table_sql(&suite.target)), [], |r| {
            r.get::<_, i64>(0)
        })
        .map(count)
        .map_err(failed(format!("reading table {}", suite.target)))?;
    let mut checks = Vec::with_capacity(suite.checks.len());
    let mut results = Vec::with_capacity(suite.checks.len());
    for check in &suite.checks {
        let (success, failing_rows, result) =
            expectation_result(connection, check, &suite.target, rows, partial)?;
        checks.push(CheckResult {
            name: check.name.clone(),
            passed: success,
            rows_checked: rows,
            failing_rows,
        });
        results.push(json!({
            "success": success,
            "expectation_config": { "expectation_type": check.kind, "kwargs": check.params, "meta": {} },
            "result": result,
            "meta": {},
            "exception_info": { "raised_exception": false, "exception_message": null, "exception_traceback": null },
        }));
    }
    let passed = checks.iter().filter(|c| c.passed).count();
    let native = json!({
        "success": passed == checks.len(),
        "results": results,
        "evaluation_parameters": {},
        "statistics": {
            "evaluated_expectations": checks.len(),
            "successful_expectations": passed,
            "unsuccessful_expectations": checks.len() - passed,
            "success_percent": percent(to_u64(passed), to_u64(checks.len())),
        },
        "meta": {
            "expectation_suite_name": suite.name,
            "active_batch_definition": { "datasource_name": "duckdb", "data_asset_name": suite.target },
            "validation_engine": "floe-quality-gx (DuckDB SQL)",
        },
    });
    Ok(QualityReport { suite: suite.name.clone(), checks, native: Some(native) })
}
