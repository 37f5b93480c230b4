//! The contract suite over every registered plugin: one row per plugin in `rows/`.

mod rows;

contract_tests::contract_suite! {
    compute_duckdb => crate::rows::compute_duckdb::ROW,
    dbt_core => crate::rows::dbt_core::ROW,
    dbt_fusion => crate::rows::dbt_fusion::ROW,
    quality_dbt => crate::rows::quality_dbt::ROW,
    quality_gx => crate::rows::quality_gx::ROW,
}
