//! Integration tests of floe-dbt, capturing spans with the testkit.

mod dbt;
