//! Layer 3: safety invariants (the paper's Figure 3) and client-history linearizability.
