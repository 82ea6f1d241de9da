//! Layer 1: one Raft server as a pure state machine (Figure 2). No clock, RNG or I/O.

pub mod types;

pub use types::*;
