//! Integration tests of floe-core, capturing spans with the testkit.

mod compile;
mod domain_span;
mod factory;
mod plugin_config;
mod provider;
mod sanitize_props;
