use std::process::ExitCode;

fn main() -> ExitCode {
    dipgraph::cli::main()
}

/// The import and query paths allocate many small, short-lived values (parsed records,
/// keys, index entries); mimalloc serves those with far less time in the allocator than
/// glibc's malloc (measured in docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
