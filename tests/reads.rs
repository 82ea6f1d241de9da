//! Reads without the log (§8; dissertation §6.4): ReadIndex and leases answer GET with no log
//! entry, and a deposed leader never answers; the knobs that break them are caught.

use raft_explorer::check::fuzz::{self, FuzzConfig, Nemesis};
use raft_explorer::raft::{Command, EntryPayload, Knobs, RaftOptions, ReadMode, Role, ServerId};
use raft_explorer::scenario::{self, presets, Scenario};
use raft_explorer::sim::{Action, Micros, Sim, SimConfig};

const MS: Micros = 1_000;

fn preset(id: &str) -> Scenario {
    presets::get(id)
        .expect("preset exists")
        .expect("preset parses")
}

fn s(n: u8) -> ServerId {
    ServerId(n)
}

fn get(key: &str, target: ServerId) -> Action {
    Action::ClientRequest {
        client: None,
        command: Command::Get { key: key.into() },
        target: Some(target),
    }
}

fn set(key: &str, value: &str, target: ServerId) -> Action {
    Action::ClientRequest {
        client: None,
        command: Command::Set {
            key: key.into(),
            value: value.into(),
        },
        target: Some(target),
    }
}

fn sim_with(read_mode: ReadMode, knobs: Knobs) -> Sim {
    Sim::new(SimConfig {
        seed: 7,
        raft: RaftOptions {
            read_mode,
            knobs,
            ..RaftOptions::DEFAULT
        },
        ..SimConfig::default()
    })
}

/// S1 leads and has written x = 1; it is cut off; the others elect a leader and write x = 2;
/// then a GET goes to S1. Returns the sim at 3 s.
fn deposed_leader_is_asked(read_mode: ReadMode, knobs: Knobs) -> Sim {
    let mut sim = sim_with(read_mode, knobs);
    sim.apply(Action::Timeout { server: s(1) }).unwrap();
    sim.run_until(400 * MS);
    sim.apply(set("x", "1", s(1))).unwrap();
    sim.run_until(600 * MS);
    sim.apply(get("x", s(1))).unwrap();
    sim.run_until(1_000 * MS);
    sim.apply(Action::Partition {
        groups: vec![vec![s(1)], vec![s(2), s(3), s(4), s(5)]],
    })
    .unwrap();
    sim.run_until(1_800 * MS);
    let leader = sim
        .server_ids()
        .find(|&id| id != s(1) && sim.server(id).role() == Role::Leader)
        .expect("the majority side elected a leader");
    sim.apply(set("x", "2", leader)).unwrap();
    sim.run_until(2_400 * MS);
    assert_eq!(
        sim.server(leader).kv().get("x").map(String::as_str),
        Some("2")
    );
    sim.apply(get("x", s(1))).unwrap();
    sim.run_until(3_000 * MS);
    assert_eq!(
        sim.server(s(1)).role(),
        Role::Leader,
        "S1 still believes it leads"
    );
    sim
}

/// The results of the GETs S1 answered, in invocation order (None: never answered).
fn gets_at_s1(sim: &Sim) -> Vec<Option<Option<String>>> {
    sim.history()
        .iter()
        .filter(|op| matches!(op.command, Command::Get { .. }))
        .map(|op| op.result.clone())
        .collect()
}

#[test]
fn read_index_answers_without_a_log_entry() {
    let sim = deposed_leader_is_asked(ReadMode::ReadIndex, Knobs::default());
    let gets = gets_at_s1(&sim);
    assert_eq!(gets[0], Some(Some("1".into())), "the first GET is answered");
    let first_get = sim
        .history()
        .iter()
        .find(|op| matches!(op.command, Command::Get { .. }))
        .unwrap();
    assert_eq!(first_get.index, None, "answered without the log");
    for id in sim.server_ids() {
        assert!(
            sim.server(id).log_entries().iter().all(|e| !matches!(
                &e.payload,
                EntryPayload::Client {
                    command: Command::Get { .. },
                    ..
                }
            )),
            "{id} has no GET in its log"
        );
    }
}

#[test]
fn a_deposed_leader_never_answers_a_read_under_read_index() {
    let sim = deposed_leader_is_asked(ReadMode::ReadIndex, Knobs::default());
    let second = sim
        .history()
        .iter()
        .filter(|op| matches!(op.command, Command::Get { .. }))
        .nth(1)
        .unwrap();
    // S1 cannot confirm that it leads: the GET waits there until the client gives up on S1
    // and asks another server, which answers the new value.
    assert_ne!(second.server, Some(s(1)), "S1 never answers");
    assert!(second.result.is_none() || second.result == Some(Some("2".into())));
    assert!(raft_explorer::check::check_history(sim.history()).is_linearizable());
}

#[test]
fn a_deposed_leader_answers_a_stale_read_with_the_knob_and_the_checker_sees_it() {
    let knobs = Knobs {
        read_without_confirmation: true,
        ..Knobs::default()
    };
    let sim = deposed_leader_is_asked(ReadMode::ReadIndex, knobs);
    assert_eq!(
        gets_at_s1(&sim)[1],
        Some(Some("1".into())),
        "the stale x = 1"
    );
    assert!(raft_explorer::check::check_history(sim.history()).is_violation());
}

#[test]
fn read_index_preset_passes_and_fails_with_the_knob() {
    let mut s = preset("read_index");
    assert!(
        scenario::run(&s).passed(),
        "{:?}",
        scenario::run(&s).problems()
    );
    s.cluster.knobs.read_without_confirmation = true;
    assert!(scenario::run(&s).linearizability.is_violation());
}

#[test]
fn lease_reads_hold_with_bounded_drift_and_break_with_unbounded_drift() {
    let mut s = preset("lease_reads");
    let report = scenario::run_with(&s, &scenario::RunOptions { trace: true });
    assert!(report.passed(), "{:?}", report.problems());
    assert!(
        report
            .trace
            .iter()
            .any(|l| l.contains("its lease still holds")),
        "some GET was answered from the lease"
    );
    s.cluster.knobs.unbounded_clock_drift = true;
    assert!(scenario::run(&s).linearizability.is_violation());
}

#[test]
fn lease_reads_with_drift_at_the_bound_stay_linearizable_under_faults() {
    for seed in 0..40 {
        let outcome = fuzz::run_seed(&FuzzConfig {
            random_options: false,
            read_mode: ReadMode::Lease,
            clock_drift_ppm: RaftOptions::DEFAULT.lease_drift_bound_ppm,
            ..FuzzConfig::new(seed, 10_000 * MS)
        });
        assert!(!outcome.failed(), "seed {seed}: {:?}", outcome.problem());
    }
}

/// The first of 200 seeds (10 s runs, every nemesis) that fails with `knobs`.
fn first_failing_seed(knobs: Knobs) -> Option<u64> {
    (0..200)
        .map(|seed| {
            fuzz::run_seed(&FuzzConfig {
                nemesis: Nemesis::All,
                knobs: knobs.clone(),
                ..FuzzConfig::new(seed, 10_000 * MS)
            })
        })
        .find(|o| o.failed())
        .map(|o| o.seed)
}

#[test]
fn seed_search_catches_read_without_confirmation_within_200_seeds() {
    let knobs = Knobs {
        read_without_confirmation: true,
        ..Knobs::default()
    };
    assert!(first_failing_seed(knobs).is_some());
}

#[test]
fn seed_search_catches_unbounded_clock_drift_within_200_seeds() {
    let knobs = Knobs {
        unbounded_clock_drift: true,
        ..Knobs::default()
    };
    assert!(first_failing_seed(knobs).is_some());
}

#[test]
fn a_one_server_cluster_confirms_reads_by_itself() {
    for mode in [ReadMode::ReadIndex, ReadMode::Lease] {
        let mut sim = Sim::new(SimConfig {
            servers: 1,
            raft: RaftOptions {
                read_mode: mode,
                ..RaftOptions::DEFAULT
            },
            ..SimConfig::default()
        });
        sim.run_until(400 * MS);
        sim.apply(set("x", "1", s(1))).unwrap();
        sim.apply(get("x", s(1))).unwrap();
        sim.run_until(600 * MS);
        assert_eq!(gets_at_s1(&sim), vec![Some(Some("1".into()))], "{mode:?}");
    }
}

#[test]
fn the_view_shows_a_read_waiting_for_its_confirmation_round() {
    let sim = deposed_leader_is_asked(ReadMode::ReadIndex, Knobs::default());
    let view = sim.view();
    let s1 = &view.servers[0].beyond_figure2;
    assert_eq!(s1.reads_waiting, 1, "the GET still waits at S1");
    assert!(
        s1.read_round > s1.confirmed_round,
        "its round {} is not confirmed (last confirmed {})",
        s1.read_round,
        s1.confirmed_round
    );
    let others = &view.servers[1].beyond_figure2;
    assert_eq!(others.reads_waiting, 0);
}

#[test]
fn a_lease_that_could_outlast_the_election_timeout_or_wild_drift_is_refused() {
    let lease_too_long = SimConfig {
        raft: RaftOptions {
            read_mode: ReadMode::Lease,
            lease_duration: 140 * MS, // 140 / (1 − 10%) = 155.6 ms > 150 ms
            ..RaftOptions::DEFAULT
        },
        ..SimConfig::default()
    };
    let e = lease_too_long.validate().unwrap_err().to_string();
    assert!(e.contains("lease_duration 140000 µs is too long"), "{e}");
    let drift = SimConfig {
        max_clock_drift_ppm: 2_000_000,
        ..SimConfig::default()
    };
    let e = drift.validate().unwrap_err().to_string();
    assert!(
        e.contains("max_clock_drift_ppm must be at most 900000"),
        "{e}"
    );
}
