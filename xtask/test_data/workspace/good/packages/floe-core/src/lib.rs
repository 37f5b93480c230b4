//! The fixture's floe-core: the domain span and the one writer of error statuses.

pub mod telemetry;

#[cfg(test)]
mod tests;
