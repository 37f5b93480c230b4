//! Makes the prebuilt `libduckdb.so` loadable by this crate's tests: they run the SQL Cube
//! generates for the data model on the DuckDB database dbt builds.

fn main() {
    floe_duckdb_link::link_for_tests();
}
