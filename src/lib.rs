//! Raft Explorer: a faithful, deterministic Raft cluster you can watch and poke.
//!
//! Layers, each depending only on those before it (see DEVELOPERS.md):
//! 1. [`raft`] — one Raft server as a pure state machine (Figure 2 of the paper).
//! 2. [`sim`] — the deterministic world: virtual clock, network, faults, clients, history.
//! 3. [`check`] — safety invariants (Figure 3) and linearizability of client histories.
//! 4. [`scenario`] — the documented scenario / permalink format, presets, validation.
//! 5. `ui` — Yew components (browser only).

pub mod check;
pub mod raft;
pub mod scenario;
pub mod sim;

#[cfg(target_arch = "wasm32")]
pub mod ui;

/// Natively, only the page's pure parts: the cluster picture as data (`ui::scene`), so
/// `cargo test` checks it without a browser. In the browser `ui/mod.rs` declares them too.
#[cfg(not(target_arch = "wasm32"))]
pub mod ui {
    pub mod scene;
}
