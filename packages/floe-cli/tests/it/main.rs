//! Integration tests of the `floe` command.

mod binary;
mod fixtures;
mod in_process;
mod sanitize;
mod security_k8s;
