//! Time travel must not make memory grow with the length of a run: checkpoints are kept under
//! `SimConfig::time_travel_budget_bytes` whatever the run length, and `rewind_to` stays exact.

use raft_explorer::raft::ServerId;
use raft_explorer::sim::{workload, Action, ConfigError, Sim, SimConfig, SimError};
use std::time::Instant;

const SECOND: u64 = 1_000_000;

/// A fresh run of the same workload, stopped at `time`.
fn fresh_at(time: u64) -> Sim {
    let mut sim = Sim::new(workload::busy_cluster_as_ui());
    sim.run_until(time);
    sim
}

#[test]
fn time_travel_refusals_are_typed_errors() {
    let mut sim = Sim::new(workload::busy_cluster());
    sim.run_until(SECOND);
    sim.disable_time_travel();
    assert_eq!(sim.rewind_to(SECOND / 2), Err(SimError::TimeTravelOff));

    let mut sim = Sim::new(SimConfig::default());
    sim.run_until(SECOND);
    sim.apply(Action::Crash {
        server: ServerId(2),
    })
    .unwrap();
    sim.run_until(2 * SECOND);
    sim.apply(Action::Restart {
        server: ServerId(2),
    })
    .unwrap();
    let mut actions = sim.actions().to_vec();
    actions.reverse();
    assert_eq!(
        Sim::replay(SimConfig::default(), actions).unwrap_err(),
        SimError::ActionsOutOfOrder { index: 1 }
    );
    let bad = SimConfig {
        servers: 0,
        ..SimConfig::default()
    };
    assert!(matches!(
        Sim::replay(bad, Vec::new()),
        Err(SimError::Config(ConfigError::Limit(_)))
    ));
}

#[test]
fn time_travel_memory_stays_under_budget_and_rewinds_stay_exact() {
    let mut config = workload::busy_cluster_as_ui();
    // A small budget, so that a short run already has to thin its checkpoints.
    config.time_travel_budget_bytes = 4 << 20;
    let budget = config.time_travel_budget_bytes;
    let mut sim = Sim::new(config.clone());
    let mut peak = 0;
    let mut t = 0;
    while t < 600 * SECOND {
        t += 10 * SECOND;
        sim.run_until(t);
        let bytes = sim.time_travel_bytes();
        assert!(
            bytes <= budget,
            "at {} s time travel holds ~{bytes} bytes, over the {budget}-byte budget ({} checkpoints)",
            t / SECOND,
            sim.checkpoint_count()
        );
        peak = peak.max(bytes);
    }
    assert!(sim.checkpoint_count() >= 2, "checkpoints are still taken");
    assert!(
        peak > budget / 8,
        "the budget is actually used (peak {peak})"
    );

    for target in [30 * SECOND + 123, 450 * SECOND + 7, 599 * SECOND] {
        sim.rewind_to(target).unwrap();
        let mut fresh = Sim::new(config.clone());
        fresh.run_until(target);
        assert_eq!(sim.now(), target);
        assert_eq!(
            sim.events_processed(),
            fresh.events_processed(),
            "at {target}"
        );
        assert_eq!(sim.view(), fresh.view(), "rewind to {target} µs is exact");
        assert_eq!(sim.trace().back(), fresh.trace().back());
    }
    // Forward again from the rewound state: still the same run.
    sim.run_until(600 * SECOND);
    let fresh = fresh_at(600 * SECOND);
    assert_eq!(sim.view(), fresh.view());
}

#[test]
fn the_default_budget_holds_a_busy_twenty_minutes() {
    let mut sim = Sim::new(workload::busy_cluster_as_ui());
    let budget = sim.config().time_travel_budget_bytes;
    let mut t = 0;
    while t < 1200 * SECOND {
        t += 60 * SECOND;
        sim.run_until(t);
        assert!(
            sim.time_travel_bytes() <= budget,
            "at {} s: {} bytes > {budget}",
            t / SECOND,
            sim.time_travel_bytes()
        );
    }
    let started = Instant::now();
    sim.rewind_to(30 * SECOND).unwrap();
    let early = fresh_at(30 * SECOND);
    assert_eq!(sim.view(), early.view(), "early rewind is exact");
    sim.rewind_to(1190 * SECOND).unwrap();
    println!("two rewinds in {:?}", started.elapsed());
    let late = fresh_at(1190 * SECOND);
    assert_eq!(sim.view(), late.view(), "late rewind is exact");
}

/// Measurement, not a test: one simulated hour as the UI runs it, then a rewind to the middle.
/// `RUN_SECONDS` overrides the length. Run in release under `/usr/bin/time -v`:
/// `cargo test --release --test engine_time_travel_memory -- --ignored --nocapture`
#[test]
#[ignore = "measurement: run in release with --ignored --nocapture"]
fn measure_one_busy_hour_with_time_travel() {
    let seconds: u64 = std::env::var("RUN_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3600);
    let mut sim = Sim::new(workload::busy_cluster_as_ui());
    let started = Instant::now();
    let mut t = 0;
    while t < seconds * SECOND {
        t += 60 * SECOND;
        sim.run_until(t);
        if t % (600 * SECOND) == 0 {
            println!(
                "t={} s: events {}, log {}, history {}, checkpoints {}, time travel ~{} MB, wall {:.1} s",
                t / SECOND,
                sim.events_processed(),
                sim.server(raft_explorer::raft::ServerId(1)).log_entries().len(),
                sim.history().len(),
                sim.checkpoint_count(),
                sim.time_travel_bytes() >> 20,
                started.elapsed().as_secs_f64()
            );
        }
    }
    let middle = seconds * SECOND / 2;
    let rewind = Instant::now();
    sim.rewind_to(middle).unwrap();
    println!(
        "rewind to {} s took {:.2} s (now {} s, {} checkpoints)",
        middle / SECOND,
        rewind.elapsed().as_secs_f64(),
        sim.now() / SECOND,
        sim.checkpoint_count()
    );
}
