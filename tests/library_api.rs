//! The simulator and checker as a library (issue 11): observers that see every step, the
//! stream of applied entries, and what a history records about each operation.

use raft_explorer::check::fuzz::{self, FuzzConfig};
use raft_explorer::check::Checker;
use raft_explorer::raft::{
    ApplyOutcome, ClientId, Command, EntryPayload, Knobs, LogIndex, Role, ServerId,
};
use raft_explorer::sim::{AppliedLog, ClientLoad, Observer, Sim, SimConfig};

const SECOND: u64 = 1_000_000;

/// A seed whose fuzz run breaks a safety property with `skip_election_restriction`, the
/// run's config and schedule, and the step the per-step checker found it at.
fn failing_run() -> (FuzzConfig, fuzz::Schedule, u64) {
    for seed in 0..200 {
        let config = FuzzConfig {
            knobs: Knobs {
                skip_election_restriction: true,
                ..Knobs::default()
            },
            ..FuzzConfig::new(seed, 20 * SECOND)
        };
        let schedule = fuzz::accepted(&config, &fuzz::schedule(&config));
        if let Some(v) = fuzz::run_schedule(&config, &schedule).violation {
            return (config, schedule, v.event.expect("found after a step"));
        }
    }
    panic!("no seed in 0..200 breaks safety with skip_election_restriction");
}

#[test]
fn a_watching_checker_catches_a_violation_in_the_middle_of_run_until() {
    let (config, schedule, found_at) = failing_run();
    let mut sim = Sim::new(config.sim_config());
    sim.watch(Checker::new());
    // Driven in big jumps, never looked at in between.
    for (t, action) in &schedule {
        sim.run_until(*t);
        sim.apply(action.clone()).expect("an accepted action");
    }
    sim.run_until(config.duration);
    let checker = sim.observer::<Checker>().expect("attached");
    let violation = checker.violation().expect("the violation is caught");
    assert_eq!(violation.event, Some(found_at), "{violation}");
    assert!(
        found_at < sim.last_event().seq,
        "it happened mid-run, not at the last step"
    );
}

#[test]
#[should_panic(expected = "were not observed")]
fn observing_by_hand_after_unobserved_steps_is_refused() {
    let mut sim = Sim::new(SimConfig::default());
    let mut checker = Checker::new();
    sim.step();
    checker.observe_sim(&sim);
    sim.run_until(2 * SECOND); // many steps, none observed
    checker.observe_sim(&sim);
}

#[test]
fn a_checker_observing_every_step_by_hand_agrees_with_a_watching_one() {
    let mut sim = Sim::new(busy(3));
    sim.watch(Checker::new());
    let mut by_hand = Checker::new();
    while sim.step_until(3 * SECOND).is_some() {
        by_hand.observe_sim(&sim);
    }
    let watching = sim.observer::<Checker>().unwrap();
    assert!(watching.is_clean() && by_hand.is_clean());
    assert_eq!(watching.observations(), by_hand.observations());
}

fn busy(clients: u32) -> SimConfig {
    SimConfig {
        seed: 7,
        load: ClientLoad::busy(clients),
        ..SimConfig::default()
    }
}

#[test]
fn applied_log_streams_every_server_s_entries_in_log_order_with_their_results() {
    let mut sim = Sim::new(busy(2));
    sim.watch(AppliedLog::default());
    sim.run_until(3 * SECOND);
    let applied = sim.observer::<AppliedLog>().unwrap();
    assert!(applied.all().len() > 20, "{}", applied.all().len());
    for server in sim.servers() {
        let mine: Vec<_> = applied.of(server.id()).collect();
        // Nobody crashed: each server applied 1, 2, ... lastApplied, the entries of its log.
        assert_eq!(
            mine.len() as u64,
            server.last_applied().0,
            "{}",
            server.id()
        );
        for (i, a) in mine.iter().enumerate() {
            assert_eq!(a.index, LogIndex(i as u64 + 1));
            assert_eq!(Some(&a.entry), server.log().get(a.index));
        }
    }
    // Steps are in order, and every server agrees on what each index held (§5.4.3).
    let all = applied.all();
    assert!(all.windows(2).all(|w| w[0].step <= w[1].step));
    for a in all {
        let first = all.iter().find(|b| b.index == a.index).unwrap();
        assert_eq!(a.entry, first.entry);
    }
    // A GET's result in the stream is what its client was told.
    let leader = sim.leader().expect("a leader");
    for a in applied.of(leader) {
        let EntryPayload::Client {
            client,
            seq,
            command: Command::Get { .. },
        } = &a.entry.payload
        else {
            continue;
        };
        let Some(ApplyOutcome::Executed(value)) = &a.outcome else {
            continue;
        };
        if let Some(op) = sim
            .history()
            .iter()
            .find(|op| op.client == *client && op.seq == *seq && op.index == Some(a.index))
        {
            assert_eq!(op.result.as_ref(), Some(value));
        }
    }
}

#[test]
fn just_applied_is_empty_after_a_step_that_applied_nothing() {
    let mut sim = Sim::new(SimConfig::default());
    sim.step(); // the first election timeout
    assert_eq!(sim.just_applied().count(), 0);
}

#[test]
fn history_records_event_order_log_index_and_serving_server() {
    let mut sim = Sim::new(busy(3));
    sim.run_until(3 * SECOND);
    let returned: Vec<_> = sim
        .history()
        .iter()
        .filter(|op| op.returned_at.is_some())
        .collect();
    assert!(returned.len() > 10);
    for op in &returned {
        let returned_event = op.returned_event.expect("a returned op has its step");
        assert!(op.invoked_event > 0 && returned_event > op.invoked_event);
        let server = op.server.expect("a returned op names its server");
        if let Some(index) = op.index {
            // The entry at that index on the serving server is this very command.
            let entry = sim.server(server).log().get(index).expect("held");
            assert!(matches!(
                &entry.payload,
                EntryPayload::Client { client, seq, .. } if *client == op.client && *seq == op.seq
            ));
        }
    }
    assert!(returned.iter().any(|op| op.index.is_some()));
}

#[test]
fn a_queued_command_is_invoked_in_the_step_its_predecessor_returns() {
    let mut sim = Sim::new(SimConfig::default());
    let me = Some(ClientId(1));
    sim.client_request_as(me, "SET x 1".parse().unwrap(), None);
    sim.client_request_as(me, "GET x".parse().unwrap(), None); // waits for the SET
    sim.run_until(3 * SECOND);
    let [set, get] = sim.history() else {
        panic!("{:?}", sim.history())
    };
    assert_eq!(
        set.returned_at,
        Some(get.invoked_at),
        "the same microsecond"
    );
    assert_eq!(set.returned_event, Some(get.invoked_event), "the same step");
    assert_eq!(get.result, Some(Some("1".into())));
}

#[test]
fn observers_follow_a_rewind() {
    let mut sim = Sim::new(busy(2));
    sim.watch(Checker::new());
    sim.watch(AppliedLog::default());
    sim.run_until(4 * SECOND);
    let later = sim.observer::<AppliedLog>().unwrap().all().len();
    sim.rewind_to(2 * SECOND).unwrap();
    let applied = sim.observer::<AppliedLog>().unwrap().all();
    assert!(applied.len() < later);
    assert!(applied.iter().all(|a| a.step <= sim.last_event().seq));
    // Running on is observed again, step by step, without complaint.
    sim.run_until(4 * SECOND);
    assert!(sim.observer::<Checker>().unwrap().is_clean());
    let checker: Checker = sim.unwatch().expect("attached");
    assert!(checker.observations() > 0);
    assert!(sim.observer::<Checker>().is_none());
}

#[test]
fn crashing_a_server_restarts_its_stream_from_index_one() {
    let mut sim = Sim::new(busy(2));
    sim.watch(AppliedLog::default());
    sim.run_until(2 * SECOND);
    let follower = sim
        .server_ids()
        .find(|id| Some(*id) != sim.leader())
        .unwrap();
    sim.crash(follower);
    sim.restart(follower);
    sim.run_until(3 * SECOND);
    let indexes: Vec<u64> = sim
        .observer::<AppliedLog>()
        .unwrap()
        .of(follower)
        .map(|a| a.index.0)
        .collect();
    let restarted_at = indexes.windows(2).position(|w| w[1] <= w[0]).unwrap() + 1;
    assert_eq!(indexes[restarted_at], 1, "applies again from the start");
}

#[derive(Clone, Debug, Default)]
struct Elections(Vec<(u64, ServerId)>); // (term, leader) as they happen

impl Observer for Elections {
    fn observe(&mut self, sim: &Sim) {
        if let Some(s) = sim.last_touched().map(|id| sim.server(id)) {
            let now = (s.current_term().0, s.id());
            if s.role() == Role::Leader && self.0.last() != Some(&now) {
                self.0.push(now);
            }
        }
    }
}

#[test]
fn an_observer_of_ones_own_sees_every_election() {
    let mut sim = Sim::new(SimConfig::default());
    sim.watch(Elections::default());
    sim.run_until(SECOND);
    let first = sim.leader().unwrap();
    sim.crash(first);
    sim.run_until(3 * SECOND);
    let elections = &sim.observer::<Elections>().unwrap().0;
    assert_eq!(elections.len(), 2, "{elections:?}");
    assert_eq!(elections[0].1, first);
    assert_eq!(
        elections[1],
        (
            sim.server(sim.leader().unwrap()).current_term().0,
            sim.leader().unwrap()
        )
    );
}
