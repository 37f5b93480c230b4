//! Integration tests of floe-core, capturing spans with the testkit.

mod domain_span;
mod factory;
mod provider;
mod sanitize_props;
mod traced;
