//! Browser entry point (built by Trunk). Natively this binary only explains itself.

/// Talc instead of Rust's default dlmalloc for the page: several KB less wasm, and faster.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_arch = "wasm32")]
fn main() {
    raft_explorer::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("raft-explorer is a web page: build and serve it with `bash scripts/serve.sh`.");
    eprintln!("For the native simulator, run `cargo run --release --bin raftsim -- --help`.");
}
