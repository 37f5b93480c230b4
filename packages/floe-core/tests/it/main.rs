//! Integration tests of floe-core, capturing spans with the testkit.

mod alert;
mod compile;
mod http;
mod peer;
mod plugin_config;
mod process;
mod quality;
