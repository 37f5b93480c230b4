//! Integration tests of floe-core, capturing spans with the testkit.

mod compile;
mod dbt;
mod domain_span;
mod factory;
mod http;
mod plugin_config;
mod process;
mod provider;
mod quality;
mod sanitize_props;
mod traced;
