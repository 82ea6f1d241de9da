//! `raftsim`: run scenarios, fuzz fault schedules and benchmark the simulator natively
//! (`raftsim/cli.rs`).

#[cfg(not(target_arch = "wasm32"))]
#[path = "raftsim/cli.rs"]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

/// The command line is native only (clap is a native-only dependency, never compiled for the
/// page); a wasm32 build of every target (the UI's clippy) gets an empty program.
#[cfg(target_arch = "wasm32")]
fn main() {}
