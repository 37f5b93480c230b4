//! The catalog-attachment SQL: allow-list, and quoting that no value can break out of,
//! checked by real DuckDB.

use std::collections::BTreeMap;

use floe_compute_duckdb::sql::{allowed_options, quote_identifier, quote_literal};
use floe_compute_duckdb::{DuckDbCompute, DuckDbConfig};
use floe_core::plugin::categories::{CatalogAttachment, Compute};
use proptest::prelude::*;

fn compute() -> DuckDbCompute {
    DuckDbCompute::new(DuckDbConfig::new(":memory:")).expect("an in-memory config is valid")
}

fn attachment(options: BTreeMap<String, String>) -> CatalogAttachment {
    CatalogAttachment {
        alias: "lake".to_owned(),
        uri: "https://catalog.example/api/catalog".to_owned(),
        warehouse: "analytics".to_owned(),
        options,
    }
}

/// A connection that cannot fetch extensions (the tests never leave the machine).
fn offline() -> duckdb::Connection {
    let connection = duckdb::Connection::open_in_memory().expect("opening in-memory DuckDB");
    connection
        .execute_batch(
            "SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;",
        )
        .expect("turning extension downloads off");
    connection
}

#[test]
fn attach_statements_load_iceberg_then_attach_with_canonical_sorted_options() {
    let options = BTreeMap::from([
        ("secret".to_owned(), "lake_secret".to_owned()),
        ("Support_Nested_Namespaces".to_owned(), "TRUE".to_owned()),
        ("access_delegation_mode".to_owned(), "vended_credentials".to_owned()),
    ]);
    let statements = compute().attach_catalog_sql(&attachment(options)).unwrap();
    assert_eq!(
        statements,
        [
            "INSTALL httpfs",
            "LOAD httpfs",
            "INSTALL iceberg",
            "LOAD iceberg",
            "ATTACH 'analytics' AS \"lake\" (TYPE iceberg, ENDPOINT 'https://catalog.example/api/catalog', \
             ACCESS_DELEGATION_MODE 'vended_credentials', SECRET 'lake_secret', SUPPORT_NESTED_NAMESPACES TRUE)",
        ]
    );
}

#[test]
fn a_single_quote_in_an_option_cannot_end_the_statement_early() {
    let connection = offline();
    connection.execute_batch("CREATE TABLE guard AS SELECT 1 AS x").unwrap();
    let hostile = "x'); DROP TABLE guard; --";
    let options = BTreeMap::from([("client_secret".to_owned(), hostile.to_owned())]);
    let attach = compute().attach_catalog_sql(&attachment(options)).unwrap().pop().unwrap();
    assert!(attach.contains("CLIENT_SECRET 'x''); DROP TABLE guard; --'"), "{attach}");
    // DuckDB reads it as one ATTACH (which fails here: the extension is not installed)...
    let err = connection.execute_batch(&attach).unwrap_err().to_string();
    assert!(err.to_lowercase().contains("iceberg"), "{err}");
    // ...and the guard table is still there.
    let rows: i64 = connection.query_row("SELECT count(*) FROM guard", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 1);
}

#[test]
fn only_allow_listed_options_pass_and_booleans_must_be_booleans() {
    for name in ["init_sql", "TYPE", "endpoint", "client_secret; DROP"] {
        let options = BTreeMap::from([(name.to_owned(), "v".to_owned())]);
        let err = compute().attach_catalog_sql(&attachment(options)).unwrap_err();
        assert_eq!(err.to_string(), format!("attach option {name:?} is not allowed"));
    }
    let options = BTreeMap::from([("stage_create_tables".to_owned(), "yes; DROP".to_owned())]);
    let err = compute().attach_catalog_sql(&attachment(options)).unwrap_err();
    assert_eq!(err.to_string(), "attach option STAGE_CREATE_TABLES must be true or false");
    let options = BTreeMap::from([("token".to_owned(), "a\0b".to_owned())]);
    let err = compute().attach_catalog_sql(&attachment(options)).unwrap_err();
    assert_eq!(err.to_string(), "attach option TOKEN must be text without NUL characters");
    assert!(allowed_options().all(|n| n == n.to_ascii_uppercase()));
}

#[test]
fn an_alias_must_be_a_plain_identifier() {
    let mut catalog = attachment(BTreeMap::new());
    catalog.alias = "lake\" (TYPE duckdb); --".to_owned();
    let err = compute().attach_catalog_sql(&catalog).unwrap_err();
    assert!(err.to_string().starts_with("catalog alias"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_value_round_trips_through_duckdb_as_one_literal(value in "[^\\x00]{0,40}") {
        let connection = offline();
        let sql = format!("SELECT {} AS v, {} AS w", quote_literal(&value), quote_literal("after"));
        let (v, w): (String, String) = connection.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        prop_assert_eq!(v, value);
        prop_assert_eq!(w, "after");
    }

    #[test]
    fn any_name_round_trips_through_duckdb_as_one_identifier(name in "[^\\x00]{1,30}") {
        let connection = offline();
        let sql = format!("SELECT 1 AS {}", quote_identifier(&name));
        let mut statement = connection.prepare(&sql).unwrap();
        statement.execute([]).unwrap();
        prop_assert_eq!(statement.column_name(0).unwrap(), &name);
    }
}
