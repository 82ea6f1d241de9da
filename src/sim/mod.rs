//! Layer 2: the deterministic world around the servers.

pub mod view;

pub use view::*;
