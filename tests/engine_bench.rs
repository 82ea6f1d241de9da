//! Throughput of the simulator. Run in release:
//! `cargo test --release --test engine_bench -- --ignored --nocapture`

use raft_explorer::sim::{ClientLoad, Sim, SimConfig};
use std::time::Instant;

fn busy_cluster(seed: u64) -> Sim {
    Sim::new(SimConfig {
        seed,
        load: ClientLoad::busy(5),
        trace_capacity: 0,
        checkpoint_interval: 0,
        ..SimConfig::default()
    })
}

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn events_per_second_of_a_busy_five_server_cluster() {
    let mut sim = busy_cluster(1);
    let started = Instant::now();
    let simulated = 3_600 * 1_000_000; // one simulated hour
    sim.run_until(simulated);
    let elapsed = started.elapsed().as_secs_f64();
    let events = sim.events_processed();
    let ops = sim
        .history()
        .iter()
        .filter(|op| op.returned_at.is_some())
        .count();
    println!(
        "1 simulated hour: {events} events, {ops} client ops in {elapsed:.2} s = {:.0} events/s",
        events as f64 / elapsed
    );
}

#[test]
fn a_busy_cluster_makes_steady_progress() {
    let mut sim = busy_cluster(2);
    sim.run_until(5_000_000);
    let ops = sim
        .history()
        .iter()
        .filter(|op| op.returned_at.is_some())
        .count();
    assert!(ops > 100, "{ops} operations completed");
}
