//! Layer 3: safety invariants (the paper's Figure 3) and client-history linearizability.
//!
//! - [`invariants`]: the five Figure 3 properties as functions of a `ClusterView`, and the
//!   incremental [`Checker`] that watches a simulation after every event (borrowing servers,
//!   re-examining only the one the event touched).
//! - [`linearizability`]: a bounded Wing–Gong–Lowe search of a client history against the
//!   key-value model (§8).
//! - [`fuzz`]: random fault schedules with client load, checked by both, and shrinking of a
//!   failing schedule (what `raftsim check` runs).
//! - `aim` (inside `fuzz`'s runs): nemeses that watch the run and strike where a planted bug
//!   would show (restart right after a vote; Figure 8).

mod aim;
pub mod fuzz;
pub mod invariants;
pub mod linearizability;

pub use invariants::{
    check_view, election_safety, leader_completeness, log_matching, state_machine_safety,
};
pub use invariants::{Checker, LiveServer, Property, ServerState, Violation};
pub use linearizability::{check_history, check_history_with_budget, Verdict};
