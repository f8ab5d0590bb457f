use std::process::ExitCode;

/// mimalloc rather than glibc's allocator: see the note on the dependency in
/// Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tallyman::cli::main()
}
