//! Tests of the testkit itself.

mod assertions;
mod capture;
#[cfg(feature = "floe")]
mod conform;
mod coverage;
mod empty;
mod entry_points;
mod events_links;
mod fixtures;
#[cfg(feature = "http")]
mod http;
#[cfg(feature = "floe")]
mod kubernetes;
mod leak;
mod levels;
#[cfg(feature = "metrics")]
mod metrics;
mod naive;
mod nearest;
#[cfg(feature = "floe")]
mod peers;
mod render;
mod strategy;
mod stress;
mod support;
