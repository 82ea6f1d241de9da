//! Action logs that come from outside the page (a hand-made Share link, a hand-made
//! handover): the readers refuse an action that names a server the run cannot have, naming
//! the action and its time; an action the world refuses only when replay reaches it (a
//! restart of a server that is up) is skipped and reported by the simulator, never a panic
//! (docs/SCENARIOS.md, "Action logs from outside").
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use raft_explorer::raft::types::{Command, ServerId};
use raft_explorer::scenario::handover::{Handover, Then};
use raft_explorer::scenario::permalink::SharedRun;
use raft_explorer::scenario::{sim_config, Scenario, ScenarioError};
use raft_explorer::sim::{Action, ActionError, RecordedAction, Refused, Sim, SimConfig};

fn scenario(servers: u8) -> Scenario {
    Scenario::from_json(&format!(
        r#"{{"version": 1, "name": "hand-made", "seed": 7, "cluster": {{"servers": {servers}}}}}"#
    ))
    .expect("a valid scenario")
}

fn at(time: u64, after_events: u64, action: Action) -> RecordedAction {
    RecordedAction {
        time,
        after_events,
        action,
    }
}

fn crash(n: u8) -> Action {
    Action::Crash {
        server: ServerId(n),
    }
}

/// The link of a run of a `servers`-server cluster with `actions`, read back.
fn read_link(servers: u8, actions: Vec<RecordedAction>) -> Result<SharedRun, ScenarioError> {
    let run = SharedRun {
        actions,
        at_us: 5_000_000,
        ..SharedRun::of(scenario(servers))
    };
    SharedRun::from_link(&run.to_link())
}

/// The handover of a run of a `servers`-server cluster with `actions`, read back.
fn read_handover(servers: u8, actions: Vec<RecordedAction>) -> Result<Handover, ScenarioError> {
    let handover = Handover {
        version: raft_explorer::scenario::handover::VERSION,
        config: SimConfig {
            servers,
            ..SimConfig::default()
        },
        actions,
        at_us: 5_000_000,
        then: Then::Share,
        file: None,
        file_name: None,
    };
    Handover::from_json(&handover.to_json(), &SimConfig::default())
}

/// Both readers refuse `actions` in a `servers`-server run, at `field`, with a message
/// holding every one of `words`.
fn both_refuse(servers: u8, actions: Vec<RecordedAction>, field: &str, words: &[&str]) {
    let errors = [
        ("link", read_link(servers, actions.clone()).unwrap_err()),
        ("handover", read_handover(servers, actions).unwrap_err()),
    ];
    for (reader, error) in errors {
        assert_eq!(error.field.as_deref(), Some(field), "{reader}: {error}");
        for word in words {
            assert!(error.message.contains(word), "{reader}: {error}");
        }
    }
}

#[test]
fn an_action_naming_a_server_outside_the_cluster_is_refused_with_the_action_and_its_time() {
    let actions = vec![at(1_000_000, 40, crash(2)), at(2_500_000, 90, crash(42))];
    both_refuse(
        5,
        actions,
        "actions[1]",
        &["crash", "2500 ms", "S42", "S1..S5"],
    );
}

#[test]
fn every_server_an_action_names_is_checked() {
    let partition = Action::Partition {
        groups: vec![vec![ServerId(1), ServerId(2)], vec![ServerId(6)]],
    };
    both_refuse(
        5,
        vec![at(0, 0, partition)],
        "actions[0]",
        &["partition", "S6"],
    );
    let cut = Action::Cut {
        from: ServerId(1),
        to: ServerId(0),
    };
    both_refuse(
        3,
        vec![at(0, 0, cut)],
        "actions[0]",
        &["cut", "S0", "S1..S3"],
    );
    let transfer = Action::TransferLeadership { to: ServerId(4) };
    both_refuse(3, vec![at(0, 0, transfer)], "actions[0]", &["S4"]);
    let request = Action::ClientRequest {
        client: None,
        command: "SET x 1".parse::<Command>().expect("a command"),
        target: Some(ServerId(9)),
    };
    both_refuse(
        3,
        vec![at(0, 0, request)],
        "actions[0]",
        &["client_request", "S9"],
    );
}

#[test]
fn servers_added_earlier_in_the_log_may_be_named() {
    // §6: ids are handed out in order and never reused, so after one add_server a
    // 3-server run may name S4, and not yet S5.
    let added = |then: Action| {
        vec![
            at(1_000_000, 50, Action::AddServer),
            at(2_000_000, 90, then),
        ]
    };
    assert!(read_link(3, added(crash(4))).is_ok());
    assert!(read_handover(3, added(crash(4))).is_ok());
    both_refuse(3, added(crash(5)), "actions[1]", &["S5", "S1..S4"]);
    // Before the add_server, S4 is not there yet.
    let early = vec![
        at(500_000, 20, crash(4)),
        at(1_000_000, 50, Action::AddServer),
    ];
    both_refuse(3, early, "actions[0]", &["S4", "S1..S3"]);
}

/// A real run of the 5-server scenario: S1 crashed at 1 s, shown at 4 s; and the queue
/// position at 2 s, where a hand-made action can be slipped in.
fn a_real_run() -> (SimConfig, Sim, u64) {
    // As the page has it: narrated, with time travel.
    let config = SimConfig {
        trace_capacity: 10_000,
        checkpoint_interval: SimConfig::default().checkpoint_interval,
        ..sim_config(&scenario(5))
    };
    let mut sim = Sim::new(config.clone());
    sim.run_until(1_000_000);
    sim.crash(ServerId(1));
    sim.run_until(2_000_000);
    let events_at_2s = sim.events_processed();
    sim.run_until(4_000_000);
    (config, sim, events_at_2s)
}

/// `actions` replayed on `config` up to `until`.
fn replay(config: &SimConfig, actions: Vec<RecordedAction>, until: u64) -> Sim {
    let mut sim = Sim::replay(config.clone(), actions).expect("replays");
    sim.run_until(until);
    sim
}

#[test]
fn an_action_the_world_refuses_on_replay_is_skipped_and_reported() {
    let (config, real, events_at_2s) = a_real_run();
    // S2 is up at 2 s: a restart of it is refused there (a link or handover made by hand;
    // the page records only actions the world took).
    let restart = Action::Restart {
        server: ServerId(2),
    };
    let mut actions = real.actions().to_vec();
    actions.push(at(2_000_000, events_at_2s, restart));
    let link = read_link(5, actions.clone()).expect("the reader cannot know S2 is up");
    let handover = read_handover(5, actions.clone()).expect("nor can this one");
    assert_eq!(link.actions, actions);
    assert_eq!(handover.actions, actions);

    let mut sim = replay(&config, actions.clone(), 4_000_000);
    let refused = vec![Refused {
        index: 1,
        error: ActionError::NotCrashed(ServerId(2)),
    }];
    assert_eq!(sim.refused_actions(), refused.as_slice());
    // Skipped: the run is the real one, event for event, with no step for the refusal.
    assert_eq!(sim.trace(), real.trace());
    assert_eq!(sim.view(), real.view());
    assert_eq!(sim.events_processed(), real.events_processed());
    // The log is kept as given (the same log replays the same run), and the refusal is
    // reported once, however often time travel passes it.
    assert_eq!(sim.actions(), actions.as_slice());
    sim.rewind_to(1_500_000).expect("rewinds");
    sim.run_until(4_000_000);
    assert_eq!(sim.refused_actions(), refused.as_slice());
    assert_eq!(sim.trace().back(), real.trace().back());

    // A new action before it forks the run: the refused action is no longer in the log.
    sim.rewind_to(1_500_000).expect("rewinds");
    sim.apply(Action::Heal).expect("heals");
    assert_eq!(sim.actions().len(), 2);
    assert!(sim.refused_actions().is_empty());
}

#[test]
fn a_log_whose_queue_positions_go_back_is_refused_by_both_readers() {
    // (1 s, after 50 events) then (2 s, after 40): the world cannot process fewer events
    // by a later moment.
    let actions = vec![at(1_000_000, 50, crash(1)), at(2_000_000, 40, crash(2))];
    both_refuse(5, actions, "actions[1]", &["after_events", "40", "50"]);
}

/// A real run of the 5-server scenario with S1 crashed at 1 s and S3 at 2.5 s, to 4 s, as
/// the page records it.
fn crashes_at_1s_and_2_5s() -> (SimConfig, Sim) {
    let (config, _, _) = a_real_run();
    let mut sim = Sim::new(config.clone());
    sim.run_until(1_000_000);
    sim.crash(ServerId(1));
    sim.run_until(2_500_000);
    sim.crash(ServerId(3));
    sim.run_until(4_000_000);
    (config, sim)
}

#[test]
fn an_action_whose_place_the_world_passes_is_refused_and_later_ones_still_come() {
    let (config, real) = crashes_at_1s_and_2_5s();
    let passed = ActionError::PlacePassed { after_events: 0 };
    // Slipped in between (a library caller's log; the readers refuse it): at 2 s after
    // fewer events than the world has by 1 s. Before, it was never due, and neither was the
    // crash of S3 after it, silently.
    let mut actions = real.actions().to_vec();
    actions.insert(1, at(2_000_000, 0, crash(2)));
    let sim = replay(&config, actions.clone(), 4_000_000);
    assert_eq!(
        sim.refused_actions(),
        &[Refused {
            index: 1,
            error: passed.clone()
        }]
    );
    assert_eq!(sim.actions_applied(), actions.len());
    assert_eq!(sim.trace(), real.trace(), "the run without it");
    assert_eq!(sim.view(), real.view());

    // At 0.5 s after no event: the world has events due before then (the first election
    // timers), so it does not hold still until 0.5 s; it goes on and passes that place.
    let mut actions = real.actions().to_vec();
    actions.insert(0, at(500_000, 0, crash(2)));
    let sim = replay(&config, actions.clone(), 4_000_000);
    assert_eq!(
        sim.refused_actions(),
        &[Refused {
            index: 0,
            error: passed.clone()
        }]
    );
    assert_eq!(sim.trace(), real.trace(), "the world did not stand still");
    assert_eq!(sim.view(), real.view());

    // After more events than the world has processed by its time: the count comes only
    // after 2 s, so it is refused when time reaches 2 s, and S3's crash still comes.
    let late = real.events_processed() + 1_000;
    let mut actions = real.actions().to_vec();
    actions.insert(1, at(2_000_000, late, crash(2)));
    let mut sim = replay(&config, actions.clone(), 1_900_000);
    assert!(sim.refused_actions().is_empty(), "not before its time");
    sim.run_until(4_000_000);
    let error = ActionError::PlacePassed { after_events: late };
    assert_eq!(sim.refused_actions(), &[Refused { index: 1, error }]);
    assert_eq!(sim.trace(), real.trace());
    assert_eq!(sim.view(), real.view());
}

/// S1's crash at 1 s, as the page records it, then a crash of S2 at 2 s after no events: a
/// place the world passes at once, so that it is refused when time reaches 2 s.
fn a_log_with_a_place_passed_at_2s() -> (SimConfig, Vec<RecordedAction>) {
    let (config, real) = crashes_at_1s_and_2_5s();
    let mut actions = real.actions()[..1].to_vec();
    actions.push(at(2_000_000, 0, crash(2)));
    (config, actions)
}

/// `log` is in time order, as a link and a replay need it.
fn assert_in_time_order(log: &[RecordedAction]) {
    assert!(
        log.windows(2).all(|w| w[0].time <= w[1].time),
        "in time order: {log:?}"
    );
}

#[test]
fn an_action_the_user_takes_before_a_refused_ones_time_keeps_the_log_in_order() {
    // A link whose action at 2 s names a place the world passes at once (after 0 events).
    // The user stops at 1.2 s and acts: the refused action, not yet due, must not stay in the
    // log ahead of theirs, or the run could no longer be shared or replayed.
    let (config, actions) = a_log_with_a_place_passed_at_2s();
    let mut sim = replay(&config, actions, 1_200_000);
    assert!(
        sim.refused_actions().is_empty(),
        "not refused before its time"
    );
    sim.apply(crash(3)).expect("S3 is up");
    sim.run_until(3_000_000);
    let log = sim.actions().to_vec();
    assert_in_time_order(&log);
    assert!(read_link(5, log.clone()).is_ok(), "the run can be shared");
    let again = replay(&config, log, 3_000_000);
    assert_eq!(again.trace(), sim.trace(), "and replays the same run");
}

fn server_action(kind: u8, n: u8) -> Action {
    let server = ServerId(n);
    match kind % 7 {
        0 => Action::Crash { server },
        1 => Action::Restart { server },
        2 => Action::Timeout { server },
        3 => Action::Pause { server },
        4 => Action::Resume { server },
        5 => Action::TransferLeadership { to: server },
        _ => Action::RemoveServer { server },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any log of actions on the run's servers, at any times and queue positions in order,
    /// that a reader accepts replays to its end without a panic, and by then every action
    /// of it came to pass: applied where it stands, or reported refused (none waits for a
    /// place the world passed). And the same log replays the same run: rewound and run on
    /// again, it is the same, with the same refusals.
    #[test]
    fn any_log_a_reader_accepts_replays_without_a_panic(
        servers in 1u8..=5,
        plan in prop::collection::vec((0u64..3_000_000, 0u64..400, any::<u8>(), 1u8..=5), 1..12),
        rewind_to in 0u64..3_500_000,
    ) {
        let mut plan = plan;
        // In order: times and queue positions never go back.
        let mut times: Vec<u64> = plan.iter().map(|p| p.0).collect();
        let mut positions: Vec<u64> = plan.iter().map(|p| p.1).collect();
        times.sort_unstable();
        positions.sort_unstable();
        for (p, (time, events)) in plan.iter_mut().zip(times.into_iter().zip(positions)) {
            (p.0, p.1) = (time, events);
        }
        let actions: Vec<RecordedAction> = plan
            .iter()
            .map(|&(time, events, kind, n)| at(time, events, server_action(kind, n.min(servers))))
            .collect();
        let link = read_link(servers, actions.clone());
        let handover = read_handover(servers, actions.clone());
        prop_assert!(link.is_ok(), "{:?}", link);
        prop_assert!(handover.is_ok(), "{:?}", handover);
        let config = SimConfig {
            trace_capacity: 10_000,
            checkpoint_interval: 500_000,
            ..sim_config(&scenario(servers))
        };
        let once = replay(&config, actions.clone(), 3_500_000);
        // Every action is behind the present: applied or refused, each refusal once.
        prop_assert_eq!(once.actions_applied(), actions.len());
        let mut refused: Vec<usize> = once.refused_actions().iter().map(|r| r.index).collect();
        refused.sort_unstable();
        refused.dedup();
        prop_assert_eq!(refused.len(), once.refused_actions().len());
        // The same log, the same run: rewound into it and run on, nothing changes.
        let mut again = replay(&config, actions.clone(), 3_500_000);
        again.rewind_to(rewind_to).expect("rewinds");
        again.run_until(3_500_000);
        prop_assert_eq!(again.trace(), once.trace());
        prop_assert_eq!(again.view(), once.view());
        prop_assert_eq!(again.refused_actions(), once.refused_actions());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// A hand-made log whose places are real (each taken where a live run stood when the
    /// action was tried there, those the world refused included) replays as that live run,
    /// event for event: every place is met (none is refused as passed), and exactly the
    /// actions the live run refused are reported refused.
    #[test]
    fn a_log_of_real_places_replays_as_the_live_run(
        servers in 3u8..=5,
        plan in prop::collection::vec((0u64..3_000_000, any::<bool>(), any::<u8>(), 1u8..=5), 1..10),
    ) {
        let config = SimConfig {
            trace_capacity: 10_000,
            checkpoint_interval: 500_000,
            ..sim_config(&scenario(servers))
        };
        let mut plan = plan;
        plan.sort_by_key(|p| p.0);
        let mut live = Sim::new(config.clone());
        let mut actions = Vec::new();
        let mut live_refused = Vec::new();
        for (i, &(time, step, kind, n)) in plan.iter().enumerate() {
            live.run_until(time);
            // Or one event on, as the page's step does: acting at an event's own moment,
            // with others due at that moment still queued.
            if step {
                live.step();
            }
            let action = server_action(kind, n.min(servers));
            actions.push(at(live.now(), live.events_processed(), action.clone()));
            if let Err(error) = live.apply(action) {
                live_refused.push(Refused { index: i, error });
            }
        }
        live.run_until(3_500_000);
        let replayed = replay(&config, actions.clone(), 3_500_000);
        prop_assert_eq!(replayed.refused_actions(), live_refused.as_slice());
        prop_assert_eq!(replayed.actions_applied(), actions.len());
        prop_assert_eq!(replayed.trace(), live.trace());
        prop_assert_eq!(replayed.view(), live.view());
    }
}

#[test]
fn stepping_event_by_event_refuses_a_passed_place_only_when_time_reaches_it() {
    // As the page's Step (N) does: one event at a time. The action at 2 s names a place the
    // world passes at once; each step before 2 s must leave it unrefused (the recorded future,
    // which an action of the user's then replaces), and the step that reaches 2 s refuses it.
    let (config, actions) = a_log_with_a_place_passed_at_2s();
    let mut sim = replay(&config, actions.clone(), 1_900_000);
    while sim.refused_actions().is_empty() {
        assert!(sim.step().is_some(), "the run goes on");
        if sim.refused_actions().is_empty() {
            assert!(sim.now() < 2_000_000, "reached 2 s unrefused");
        } else {
            assert!(
                sim.now() >= 2_000_000,
                "refused at {} µs, before its time",
                sim.now()
            );
        }
    }
    // A user who stops one event before 2 s and acts keeps the log in time order.
    let mut sim = replay(&config, actions, 1_900_000);
    while sim.next_event_time().is_some_and(|t| t < 2_000_000) {
        sim.step();
    }
    assert!(sim.refused_actions().is_empty(), "not due yet");
    sim.apply(crash(3)).expect("S3 is up");
    assert_in_time_order(sim.actions());
}
