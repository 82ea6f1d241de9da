//! Change stamps: a number that names one version of a value that readers may copy (a log,
//! a key-value store, the client history), so a reader holding a copy can tell in O(1)
//! whether it is still current.
//!
//! Stamps come from one process-wide counter and are never reused: a value gets a fresh stamp
//! at every change, and a clone keeps its stamp (it holds the same contents). So two values
//! with the same stamp hold the same contents, across clones, time-travel checkpoints and
//! forks alike. Stamp 0 is reserved for "empty". A stamp is not part of the value: it is
//! ignored by equality, never shown and changes nothing in what a run does.

use std::sync::atomic::{AtomicU64, Ordering};

/// The stamp of every empty value.
pub const EMPTY: u64 = 0;

/// A stamp no value has had before.
pub fn fresh() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(EMPTY + 1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
