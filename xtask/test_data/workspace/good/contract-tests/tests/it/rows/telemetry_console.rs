//! The console backend's row.

pub(crate) const ROW: contract_tests::Row =
    contract_tests::Row { package: "floe-telemetry-console", succeed: || {}, fail: |_| {} };
