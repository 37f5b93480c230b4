//! Makes the prebuilt `libduckdb.so` loadable by this crate's tests and its dependents.

fn main() {
    floe_duckdb_link::link_for_tests();
}
