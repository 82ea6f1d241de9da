//! Layer 3: safety invariants (the paper's Figure 3) and client-history linearizability.

pub mod fuzz;
pub mod invariants;
pub mod linearizability;

pub use invariants::{
    check_view, election_safety, leader_completeness, log_matching, state_machine_safety,
};
pub use invariants::{Checker, LiveServer, Property, ServerState, Violation};
pub use linearizability::{check_history, check_history_with_budget, Verdict};
