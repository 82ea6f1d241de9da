//! Browser entry point (built by Trunk). Natively this binary only explains itself.

#[cfg(target_arch = "wasm32")]
fn main() {
    raft_explorer::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("raft-explorer is a web page: build and serve it with `bash scripts/serve.sh`.");
    eprintln!("For the native simulator, run `cargo run --release --bin raftsim -- --help`.");
}
