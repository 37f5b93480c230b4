//! The `floe` command.

use std::process::ExitCode;

/// mimalloc, not glibc's allocator. With telemetry on, the batch span processor's export
/// thread frees the spans an operation's thread allocated, and under glibc's allocator
/// that slowed the operation itself: the overhead bench's `NetworkPolicy` row took 26.5 µs
/// without telemetry and added 1.8 µs with it, where its one span costs 0.24 µs (with
/// spans exported on the operation's own thread it added 0.3 µs). Under mimalloc the row
/// takes 12 to 13 µs and adds 0.4 to 1 µs (`cargo bench -p contract-tests --bench overhead`,
/// which runs with this allocator for that reason).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let registry = floe_core::plugin::registered();
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    floe_cli::run(std::env::args(), &registry, &mut floe_cli::Io { out: &mut out, err: &mut err })
}
