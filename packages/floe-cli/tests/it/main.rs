//! Integration tests of the `floe` binary.

mod sanitize;
