//! Tests of the testkit itself.

mod assertions;
mod capture;
mod conform;
mod fixtures;
#[cfg(feature = "floe")]
mod kubernetes;
mod leak;
mod naive;
#[cfg(feature = "floe")]
mod peers;
mod render;
mod strategy;
mod stress;
mod support;
