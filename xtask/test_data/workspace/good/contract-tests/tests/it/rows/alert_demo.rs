//! The demo alert plugin's row.

use contract_tests::Row;

pub(crate) const ROW: Row = Row { package: "floe-alert-demo", succeed, fail };

fn succeed() {}

fn fail(_secret: &str) {}
