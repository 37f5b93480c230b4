//! Tests of the testkit itself.

mod assertions;
mod capture;
mod fixtures;
mod leak;
mod naive;
mod render;
mod strategy;
mod stress;
mod support;
