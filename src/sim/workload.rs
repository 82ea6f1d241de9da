//! The fixed benchmark workload, shared by `raftsim bench` (native) and the wasm benchmark
//! (`tests/wasm_bench.rs`), so both measure the same thing.

use super::{ClientLoad, SimConfig};

/// A busy five-server cluster: five clients issuing SET/GET/DEL back to back (0–20 ms think
/// time), no faults. Narration retention and time-travel checkpoints are off: this measures the
/// protocol and the world, not the UI's bookkeeping.
pub fn busy_cluster() -> SimConfig {
    SimConfig {
        seed: 42,
        servers: 5,
        load: ClientLoad::busy(5),
        trace_capacity: 0,
        checkpoint_interval: 0,
        ..SimConfig::default()
    }
}

/// The same workload with everything the page keeps switched on (narrated trace, time-travel
/// checkpoints), as the UI runs it.
pub fn busy_cluster_as_ui() -> SimConfig {
    SimConfig {
        load: ClientLoad::busy(5),
        ..SimConfig::default()
    }
}
