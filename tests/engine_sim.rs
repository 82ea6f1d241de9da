//! The simulator, told as stories: elections, crashes, partitions, clients, time travel.

use raft_explorer::raft::{Command, LogIndex, RaftOptions, Role, ServerId, Term};
use raft_explorer::sim::{
    Action, ActionError, ClientLoad, ClusterView, ConfigError, LimitError, ServerStatus, Sim,
    SimConfig, TraceKind,
};

const MS: u64 = 1_000;
const SECOND: u64 = 1_000_000;

#[allow(non_snake_case)]
fn S(n: u8) -> ServerId {
    ServerId(n)
}

fn sim(seed: u64) -> Sim {
    Sim::new(SimConfig {
        seed,
        ..SimConfig::default()
    })
}

fn set(key: &str, value: &str) -> Command {
    Command::Set {
        key: key.into(),
        value: value.into(),
    }
}

/// Runs until some server leads; returns it.
fn elect(sim: &mut Sim, within: u64) -> ServerId {
    let deadline = sim.now() + within;
    assert!(
        sim.run_until_condition(deadline, |s| s.leader().is_some()),
        "no leader by {deadline} µs"
    );
    sim.leader().unwrap()
}

/// Runs until every live server has applied everything the leader committed and agrees.
fn settle(sim: &mut Sim) {
    sim.run_for(2 * SECOND);
}

/// Compares two views, reporting the first difference briefly (views are large).
fn assert_same(a: &ClusterView, b: &ClusterView) {
    assert_eq!(a.now, b.now, "now");
    for (x, y) in a.servers.iter().zip(&b.servers) {
        assert!(x == y, "{} differs:\n{x:?}\n{y:?}", x.id);
    }
    assert_eq!(a.messages.len(), b.messages.len(), "messages in flight");
    assert!(a.messages == b.messages, "messages differ");
    assert!(a.clients == b.clients, "clients differ");
    assert!(a.history == b.history, "history differs");
    assert!(a == b, "network differs");
}

/// Logs of all up servers agree up to the smallest commit index (a cheap safety check).
fn assert_committed_prefixes_agree(sim: &Sim) {
    let up: Vec<_> = sim.server_ids().filter(|id| sim.is_up(*id)).collect();
    for a in &up {
        for b in &up {
            let (a, b) = (sim.server(*a), sim.server(*b));
            let common = a.commit_index().min(b.commit_index()).0 as usize;
            assert_eq!(
                a.log_entries()[..common],
                b.log_entries()[..common],
                "{} vs {}",
                a.id(),
                b.id()
            );
        }
    }
}

#[test]
fn initial_election_elects_one_leader_within_a_few_seconds() {
    for seed in 1..=10 {
        let mut sim = sim(seed);
        let leader = elect(&mut sim, 3 * SECOND);
        let term = sim.server(leader).current_term();
        sim.run_for(SECOND);
        let leaders: Vec<_> = sim
            .servers()
            .filter(|s| s.role() == Role::Leader)
            .map(|s| s.id())
            .collect();
        assert_eq!(leaders, vec![leader], "seed {seed}: one stable leader");
        assert_eq!(
            sim.server(leader).current_term(),
            term,
            "seed {seed}: heartbeats keep the term stable"
        );
        for s in sim.servers() {
            assert_eq!(s.current_term(), term);
            assert_eq!(s.leader_hint(), Some(leader));
        }
    }
}

#[test]
fn same_seed_and_same_actions_give_the_same_run_byte_for_byte() {
    let run = |seed: u64| {
        let mut sim = Sim::new(SimConfig {
            seed,
            loss_probability: 0.05,
            duplicate_probability: 0.05,
            load: ClientLoad::busy(2),
            ..SimConfig::default()
        });
        sim.run_until(SECOND);
        sim.crash(S(1));
        sim.client_request(set("x", "1"), None);
        sim.run_until(2 * SECOND);
        sim.partition(&[&[S(1), S(2)], &[S(3), S(4), S(5)]]);
        sim.restart(S(1));
        sim.run_until(3 * SECOND);
        let trace: Vec<String> = sim
            .trace()
            .iter()
            .map(|e| format!("{} {} {}", e.seq, e.time, e.explain()))
            .collect();
        (
            trace.join("\n"),
            format!("{:?}", sim.view()),
            sim.events_processed(),
        )
    };
    let (trace_a, view_a, events_a) = run(7);
    let (trace_b, view_b, events_b) = run(7);
    assert_eq!(events_a, events_b);
    assert_eq!(trace_a, trace_b);
    assert_eq!(view_a, view_b);
    let (trace_c, ..) = run(8);
    assert_ne!(trace_a, trace_c, "another seed gives another run");
}

#[test]
fn leader_crash_elects_new_leader_with_higher_term() {
    let mut sim = sim(3);
    let old = elect(&mut sim, 3 * SECOND);
    let old_term = sim.server(old).current_term();
    sim.crash(old);
    assert_eq!(sim.status(old), ServerStatus::Crashed);
    sim.run_for(100 * MS);
    let new = elect(&mut sim, 3 * SECOND);
    assert_ne!(new, old);
    assert!(sim.server(new).current_term() > old_term);
    // The story says so in words.
    let narrated = sim.trace().iter().any(|e| {
        e.explain()
            .contains(&format!("{new} became leader for term"))
    });
    assert!(narrated);
}

#[test]
fn a_set_reaches_every_live_servers_state_machine_and_the_client_gets_an_answer() {
    let mut sim = sim(4);
    elect(&mut sim, 3 * SECOND);
    let (client, seq) = sim.client_request(set("x", "42"), Some(S(1)));
    settle(&mut sim);
    for s in sim.servers() {
        assert_eq!(
            s.kv().get("x").map(String::as_str),
            Some("42"),
            "{}",
            s.id()
        );
    }
    let op = sim
        .history()
        .iter()
        .find(|op| op.client == client && op.seq == seq)
        .unwrap();
    assert!(op.returned_at.is_some());
    assert_eq!(op.result, Some(None));
    // A GET goes through the log and sees it.
    let (client, seq) = sim.client_request(Command::Get { key: "x".into() }, None);
    settle(&mut sim);
    let op = sim
        .history()
        .iter()
        .find(|op| op.client == client && op.seq == seq)
        .unwrap();
    assert_eq!(op.result, Some(Some("42".into())));
}

#[test]
fn non_leader_redirects_the_client_which_follows_the_hint() {
    let mut sim = sim(5);
    let leader = elect(&mut sim, 3 * SECOND);
    sim.run_for(100 * MS);
    let follower = sim.server_ids().find(|id| *id != leader).unwrap();
    sim.client_request(set("k", "v"), Some(follower));
    settle(&mut sim);
    assert!(sim.history()[0].returned_at.is_some());
    let redirected = sim.trace().iter().any(|e| {
        matches!(e.kind, TraceKind::ClientReplyArrived { .. })
            && e.explain().contains(&format!("to try {leader}"))
    });
    assert!(redirected);
}

#[test]
fn minority_partition_cannot_commit() {
    let mut sim = sim(6);
    let leader = elect(&mut sim, 3 * SECOND);
    sim.run_for(200 * MS);
    let others: Vec<_> = sim.server_ids().filter(|id| *id != leader).collect();
    let minority = [leader, others[0]];
    let majority = [others[1], others[2], others[3]];
    sim.partition(&[&minority, &majority]);
    let commit_before = sim.server(leader).commit_index();
    sim.client_request(set("lost", "1"), Some(leader));
    sim.run_for(200 * MS);
    assert!(
        sim.server(leader).last_log_index() > commit_before,
        "the old leader appended it"
    );
    sim.run_for(3 * SECOND);
    assert_eq!(
        sim.server(leader).commit_index(),
        commit_before,
        "but 2 of 5 cannot commit it"
    );
    // Meanwhile the majority elected a new leader of a higher term.
    let new = sim.leader().unwrap();
    assert!(majority.contains(&new));
    assert!(sim.server(new).current_term() > sim.server(leader).current_term());
}

#[test]
fn partitioned_old_leader_steps_down_on_rejoin_and_logs_converge() {
    let mut sim = sim(8);
    let old = elect(&mut sim, 3 * SECOND);
    sim.run_for(200 * MS);
    let rest: Vec<_> = sim.server_ids().filter(|id| *id != old).collect();
    sim.partition(&[&[old], &rest]);
    sim.client_request(set("stale", "yes"), Some(old)); // appended by the isolated leader
    sim.run_for(100 * MS);
    let stale_index = sim.server(old).last_log_index();
    let stale_term = sim.server(old).current_term();
    sim.run_for(3 * SECOND);
    let new = sim.leader().unwrap();
    assert_ne!(new, old);
    sim.client_request(set("fresh", "yes"), Some(new));
    sim.run_for(SECOND);
    assert_eq!(
        sim.server(old).role(),
        Role::Leader,
        "still believes it leads, alone"
    );
    sim.heal();
    sim.run_for(2 * SECOND);
    assert_eq!(sim.server(old).role(), Role::Follower);
    assert_eq!(
        sim.server(old).current_term(),
        sim.server(new).current_term()
    );
    for s in sim.servers() {
        assert_eq!(
            s.log_entries(),
            sim.server(new).log_entries(),
            "{} converged",
            s.id()
        );
        let entry = s.log().get(stale_index).unwrap();
        assert!(
            entry.term > stale_term,
            "the isolated leader's uncommitted entry was overwritten"
        );
        // (The client retried elsewhere, so its SET did commit, once, in a later term.)
        assert_eq!(s.kv().get("stale").map(String::as_str), Some("yes"));
        assert_eq!(s.kv().get("fresh").map(String::as_str), Some("yes"));
    }
}

#[test]
fn persistent_state_survives_a_crash_and_the_state_machine_is_rebuilt() {
    let mut sim = sim(9);
    let leader = elect(&mut sim, 3 * SECOND);
    sim.client_request(set("a", "1"), Some(leader));
    settle(&mut sim);
    let victim = sim.server_ids().find(|id| *id != leader).unwrap();
    let (term, vote, log) = {
        let s = sim.server(victim);
        (s.current_term(), s.voted_for(), s.log_entries().to_vec())
    };
    sim.crash(victim);
    assert_eq!(
        sim.server(victim).commit_index(),
        LogIndex(0),
        "volatile state is gone"
    );
    assert!(sim.server(victim).kv().data().is_empty());
    sim.run_for(SECOND);
    sim.restart(victim);
    let s = sim.server(victim);
    assert_eq!(
        (s.current_term(), s.voted_for(), s.log_entries()),
        (term, vote, &log[..])
    );
    settle(&mut sim);
    assert_eq!(
        sim.server(victim).kv().get("a").map(String::as_str),
        Some("1")
    );
}

#[test]
fn messages_to_a_crashed_server_are_lost_and_partitions_bite_messages_in_flight() {
    let mut sim = sim(10);
    let leader = elect(&mut sim, 3 * SECOND);
    sim.run_for(45 * MS);
    // Step until a heartbeat is in flight, then cut its receiver off.
    sim.run_until_condition(sim.now() + SECOND, |s| {
        s.view().messages.iter().any(|m| m.from == leader)
    });
    let message = sim
        .view()
        .messages
        .into_iter()
        .find(|m| m.from == leader)
        .unwrap();
    assert!(!message.doomed);
    sim.partition(&[&[message.from], &[message.to]]);
    let doomed = sim
        .view()
        .messages
        .into_iter()
        .find(|m| m.id == message.id)
        .unwrap();
    assert!(
        doomed.doomed,
        "a partition dooms messages already in flight"
    );
    sim.run_until(message.deliver_at);
    let lost = sim
        .trace()
        .iter()
        .any(|e| matches!(e.kind, TraceKind::Lost { id, .. } if id == message.id));
    assert!(lost);
}

#[test]
fn drop_delay_and_duplicate_a_message_by_id() {
    let mut sim = sim(11);
    elect(&mut sim, 3 * SECOND);
    let messages = sim.view().messages;
    assert!(messages.len() >= 2);
    let (a, b) = (&messages[0], &messages[1]);
    sim.drop_message(a.id);
    sim.delay_message(b.id, 100 * MS);
    sim.duplicate_message(b.id);
    let view = sim.view();
    assert!(view.messages.iter().find(|m| m.id == a.id).unwrap().doomed);
    assert_eq!(
        view.messages
            .iter()
            .find(|m| m.id == b.id)
            .unwrap()
            .deliver_at,
        b.deliver_at + 100 * MS
    );
    let newest = messages.iter().map(|m| m.id).max().unwrap();
    let copies: Vec<_> = view.messages.iter().filter(|m| m.id > newest).collect();
    assert_eq!(copies.len(), 1);
    assert_eq!((copies[0].to, &copies[0].message), (b.to, &b.message));
    assert!(sim
        .apply(Action::DropMessage {
            id: raft_explorer::sim::MessageId(999_999)
        })
        .is_err());
}

#[test]
fn a_paused_server_holds_its_messages_and_timers_until_resumed() {
    let mut sim = sim(12);
    let leader = elect(&mut sim, 3 * SECOND);
    let follower = sim.server_ids().find(|id| *id != leader).unwrap();
    sim.run_for(100 * MS);
    sim.pause(follower);
    let deadline = sim.view().server(follower).unwrap().election_deadline;
    sim.run_for(SECOND);
    let view = sim.view();
    let frozen = view.server(follower).unwrap();
    assert_eq!(frozen.status, ServerStatus::Paused);
    assert_eq!(
        frozen.election_deadline.map(|d| d - view.now),
        deadline.map(|d| d - (view.now - SECOND))
    );
    assert!(
        view.messages
            .iter()
            .any(|m| m.to == follower && m.deliver_at < view.now),
        "held messages"
    );
    sim.resume(follower);
    sim.run_for(100 * MS);
    assert_eq!(
        sim.leader(),
        Some(leader),
        "the resumed follower did not disturb the leader"
    );
    assert!(!sim
        .view()
        .messages
        .iter()
        .any(|m| m.to == follower && m.deliver_at < sim.now()));
}

#[test]
fn refused_actions_explain_why_and_change_nothing() {
    let mut sim = sim(13);
    let before = sim.view();
    let err = sim.apply(Action::Restart { server: S(2) }).unwrap_err();
    assert!(err.to_string().contains("S2 is not crashed"), "{err}");
    let err = sim.apply(Action::Crash { server: S(7) }).unwrap_err();
    assert!(err.to_string().contains("no server S7"), "{err}");
    assert_eq!(sim.view(), before);
    assert!(sim.actions().is_empty());
}

#[test]
fn cluster_stays_consistent_under_loss_duplication_and_load() {
    let mut sim = Sim::new(SimConfig {
        seed: 21,
        loss_probability: 0.1,
        duplicate_probability: 0.1,
        load: ClientLoad::busy(3),
        trace_capacity: 0,
        checkpoint_interval: 0,
        ..SimConfig::default()
    });
    for round in 0..10u64 {
        sim.run_for(SECOND);
        assert_committed_prefixes_agree(&sim);
        let victim = S((round % 5) as u8 + 1);
        if sim.is_up(victim) {
            sim.crash(victim);
        } else {
            sim.restart(victim);
        }
    }
    let done = sim
        .history()
        .iter()
        .filter(|op| op.returned_at.is_some())
        .count();
    assert!(done > 50, "clients made progress: {done}");
    assert!(sim.events_processed() > 2_000, "{}", sim.events_processed());
}

#[test]
fn time_travel_rebuilds_the_past_exactly_and_replays_the_future() {
    let config = SimConfig {
        seed: 5,
        load: ClientLoad::busy(2),
        checkpoint_interval: 300 * MS,
        ..SimConfig::default()
    };
    let mut sim = Sim::new(config);
    sim.run_until(1_700 * MS);
    let view_t1 = sim.view();
    sim.crash(S(2));
    sim.run_until(2_500 * MS);
    sim.client_request(set("x", "9"), None);
    sim.partition(&[&[S(1), S(2)], &[S(3), S(4), S(5)]]);
    sim.run_until(4 * SECOND);
    sim.heal();
    sim.run_until(5 * SECOND);
    let final_view = sim.view();
    let final_trace: Vec<String> = sim.trace().iter().map(|e| e.explain()).collect();

    sim.rewind_to(1_700 * MS).unwrap();
    assert_same(&sim.view(), &view_t1);
    assert_eq!(sim.actions_applied(), 0);
    assert_eq!(sim.actions().len(), 4, "the future is kept");

    sim.run_until(5 * SECOND);
    assert_same(&sim.view(), &final_view);
    let replayed: Vec<String> = sim.trace().iter().map(|e| e.explain()).collect();
    assert_eq!(replayed, final_trace);

    // Rewinding into the middle and acting forks: the recorded future is discarded.
    sim.rewind_to(3 * SECOND).unwrap();
    assert_eq!(sim.actions_applied(), 3);
    sim.heal();
    assert_eq!(sim.actions().len(), 4);
    assert_eq!(sim.actions()[3].time, 3 * SECOND);
}

#[test]
fn time_travel_checkpoints_stay_bounded() {
    let mut sim = Sim::new(SimConfig {
        seed: 2,
        checkpoint_interval: 10 * MS,
        max_checkpoints: 8,
        trace_capacity: 100,
        ..SimConfig::default()
    });
    sim.run_until(10 * SECOND);
    let view = sim.view();
    sim.rewind_to(0).unwrap();
    assert_eq!(sim.now(), 0);
    assert_eq!(sim.server(S(1)).current_term(), Term(0));
    sim.run_until(10 * SECOND);
    assert_same(&sim.view(), &view);
    assert!(sim.trace().len() <= 100);
}

#[test]
fn one_server_cluster_serves_clients_alone() {
    let mut sim = Sim::new(SimConfig {
        servers: 1,
        ..SimConfig::default()
    });
    sim.run_for(SECOND);
    assert_eq!(sim.leader(), Some(S(1)));
    sim.client_request(set("solo", "1"), None);
    sim.run_for(SECOND);
    assert_eq!(
        sim.server(S(1)).kv().get("solo").map(String::as_str),
        Some("1")
    );
}

/// S1 wins term 1 with S3's vote; S3 crashes and restarts; S2 (which never heard of term 1's
/// election) then asks S3 for its vote in term 1.
fn two_candidates_in_term_one(options: RaftOptions) -> Sim {
    let mut sim = Sim::new(SimConfig {
        servers: 3,
        raft: options,
        ..SimConfig::default()
    });
    sim.partition(&[&[S(1), S(3)], &[S(2)]]);
    sim.timeout(S(1));
    sim.run_until(50 * MS);
    assert_eq!(sim.server(S(1)).role(), Role::Leader);
    sim.crash(S(3));
    sim.restart(S(3));
    sim.partition(&[&[S(2), S(3)], &[S(1)]]);
    sim.timeout(S(2));
    sim.run_until(100 * MS);
    sim
}

#[test]
fn a_restarted_server_remembers_its_vote_so_a_term_has_one_leader() {
    let sim = two_candidates_in_term_one(RaftOptions::default());
    assert_eq!(sim.server(S(2)).current_term(), Term(1));
    assert_eq!(
        sim.server(S(2)).role(),
        Role::Candidate,
        "S3 already voted for S1 in term 1"
    );
}

#[test]
fn knob_forget_vote_on_restart_lets_two_leaders_win_one_term() {
    let mut options = RaftOptions::default();
    options.knobs.forget_vote_on_restart = true;
    let sim = two_candidates_in_term_one(options);
    let leaders: Vec<_> = sim
        .servers()
        .filter(|s| s.role() == Role::Leader)
        .map(|s| (s.id(), s.current_term()))
        .collect();
    assert_eq!(leaders, vec![(S(1), Term(1)), (S(2), Term(1))]);
}

#[test]
fn the_trace_narrates_election_replication_and_crash_in_plain_english() {
    let mut sim = sim(1);
    let leader = elect(&mut sim, 3 * SECOND);
    let follower = sim.server_ids().find(|id| *id != leader).unwrap();
    sim.run_for(100 * MS); // the followers hear from the leader
    sim.client_request(set("x", "1"), Some(follower));
    sim.run_for(300 * MS);
    sim.crash(leader);
    sim.run_for(100 * MS);
    let story: Vec<(String, &str)> = sim
        .trace()
        .iter()
        .map(|e| (e.explain(), e.section()))
        .collect();
    let told = |needle: &str, section: &str| {
        assert!(
            story
                .iter()
                .any(|(text, s)| text.contains(needle) && *s == section),
            "no {section} event saying {needle:?}"
        )
    };
    told("became a candidate for term 1", "§5.2");
    told(
        &format!("granted its vote to {leader} for term 1"),
        "§5.4.1",
    );
    told(
        &format!("{leader} became leader for term 1 with votes from"),
        "§5.2",
    );
    told(&format!("{follower} is not the leader, so it turned away C1's command #1 with the hint \"try {leader}\""), "§8");
    told(
        &format!("{leader} committed index 1 (replicated on"),
        "§5.4.2",
    );
    told(
        "applied index 1 (term 1) to its state machine: C1's command #1",
        "§5.3",
    );
    told(&format!("{leader} crashed"), "§5.5");
    told(&format!("was lost: {leader} is down"), "§5.1");
    let seqs: Vec<u64> = sim.trace().iter().map(|e| e.seq).collect();
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "trace events are numbered in order"
    );
}

#[test]
fn next_event_time_is_exactly_when_the_next_step_happens() {
    let mut sim = Sim::new(SimConfig {
        seed: 3,
        load: ClientLoad::busy(2),
        ..SimConfig::default()
    });
    for i in 0..5_000 {
        if i == 2_000 {
            let leader = sim.leader().unwrap();
            sim.crash(leader);
        }
        let expected = sim.next_event_time().unwrap();
        assert!(
            sim.step_until(expected - 1).is_none(),
            "nothing is due before it"
        );
        let event = sim.step().unwrap();
        assert_eq!(event.time, expected);
    }
}

#[test]
fn actions_and_config_round_trip_through_json() {
    let actions = vec![
        Action::Crash { server: S(3) },
        Action::Partition {
            groups: vec![vec![S(1), S(2)], vec![S(3)]],
        },
        Action::SetLoss { probability: 0.25 },
        Action::DelayMessage {
            id: raft_explorer::sim::MessageId(7),
            by: 5 * MS,
        },
        Action::ClientRequest {
            client: None,
            command: set("x", "1"),
            target: Some(S(2)),
        },
        Action::Heal,
    ];
    let json = serde_json::to_string(&actions).unwrap();
    let back: Vec<Action> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, actions);
    let short: Action = serde_json::from_str(r#"{"client_request":{"command":"GET x"}}"#).unwrap();
    assert_eq!(
        short,
        Action::ClientRequest {
            client: None,
            command: Command::Get { key: "x".into() },
            target: None
        }
    );
    assert!(serde_json::from_str::<Action>(r#"{"crash":{"server":1,"oops":2}}"#).is_err());
    assert!(serde_json::from_str::<Action>(r#"{"client_request":{"command":"GET"}}"#).is_err());

    let mut config = SimConfig {
        seed: 9,
        servers: 3,
        ..SimConfig::default()
    };
    config.raft.knobs.stale_local_reads = true;
    let back: SimConfig = serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
    assert_eq!(back, config);
    let partial: SimConfig = serde_json::from_str(
        r#"{"seed": 4, "raft": {"knobs": {"commit_old_term_by_counting": true}}}"#,
    )
    .unwrap();
    assert_eq!(partial.servers, 5);
    assert!(partial.raft.fast_backup && partial.raft.knobs.commit_old_term_by_counting);
}

#[test]
fn a_recorded_action_log_replays_the_run_exactly() {
    let config = SimConfig {
        seed: 17,
        load: ClientLoad::busy(2),
        ..SimConfig::default()
    };
    let mut original = Sim::new(config.clone());
    original.run_until(700 * MS);
    let leader = original.leader().unwrap();
    // Act mid-instant (after a single step), where "run until t, then act" would not be exact.
    original.step();
    original.crash(leader);
    original.step();
    original.partition(&[&[S(1), S(2), S(3)], &[S(4), S(5)]]);
    original.run_until(2 * SECOND);
    original.heal();
    original.run_until(3 * SECOND);

    let log = serde_json::to_string(original.actions()).unwrap();
    let mut replayed = Sim::replay(config, serde_json::from_str(&log).unwrap()).unwrap();
    replayed.run_until(3 * SECOND);
    assert_same(&replayed.view(), &original.view());
    assert_eq!(replayed.actions_applied(), 3);
}

/// A deposed leader, cut off from the majority, is asked for x after the majority changed it.
fn read_from_isolated_old_leader(options: RaftOptions) -> Option<Option<String>> {
    let mut sim = Sim::new(SimConfig {
        seed: 23,
        raft: options,
        ..SimConfig::default()
    });
    let old = elect(&mut sim, 3 * SECOND);
    sim.client_request(set("x", "1"), Some(old));
    sim.run_for(SECOND);
    let rest: Vec<_> = sim.server_ids().filter(|id| *id != old).collect();
    sim.partition(&[&[old], &rest]);
    sim.run_for(SECOND);
    sim.client_request(set("x", "2"), Some(rest[0]));
    sim.run_for(SECOND);
    let (client, seq) = sim.client_request(Command::Get { key: "x".into() }, Some(old));
    sim.run_for(100 * MS);
    sim.history()
        .iter()
        .find(|op| op.client == client && op.seq == seq)
        .unwrap()
        .result
        .clone()
}

#[test]
fn reads_go_through_the_log_so_an_isolated_old_leader_cannot_answer_them() {
    assert_eq!(
        read_from_isolated_old_leader(RaftOptions::default()),
        None,
        "no answer yet"
    );
}

#[test]
fn knob_stale_local_reads_lets_an_isolated_old_leader_return_a_stale_value() {
    let mut options = RaftOptions::default();
    options.knobs.stale_local_reads = true;
    assert_eq!(
        read_from_isolated_old_leader(options),
        Some(Some("1".into())),
        "x is 2 by now"
    );
}

#[test]
fn a_message_to_a_server_that_crashed_and_restarted_in_flight_is_narrated_as_such() {
    let mut sim = sim(1);
    let leader = elect(&mut sim, 2 * SECOND);
    let receiver = if leader == S(3) { S(4) } else { S(3) };
    // Catch a message on its way to the receiver, then crash and restart the receiver.
    let message = loop {
        if let Some(m) = sim
            .view()
            .messages
            .into_iter()
            .find(|m| m.to == receiver && !m.doomed)
        {
            break m;
        }
        sim.step().expect("the cluster keeps talking");
    };
    sim.crash(receiver);
    sim.restart(receiver);
    sim.run_until(message.deliver_at);
    assert!(sim.is_up(receiver));
    let line = sim
        .trace()
        .iter()
        .rev()
        .find(|e| matches!(e.kind, TraceKind::Lost { id, .. } if id == message.id))
        .expect("the message was lost")
        .explain();
    // §5.5: the restarted server lost its volatile state; it is up now, so "is down" would be false.
    assert!(!line.contains("is down"), "{line}");
    assert!(
        line.contains(&format!("{receiver} crashed while it was in flight")),
        "{line}"
    );
}

/// Election deadlines of the servers whose timer runs, earliest first.
fn running_deadlines(sim: &Sim) -> Vec<(u64, ServerId)> {
    let view = sim.view();
    let mut timers: Vec<(u64, ServerId)> = view
        .servers
        .iter()
        .filter(|s| s.status == ServerStatus::Up)
        .filter_map(|s| s.election_deadline.map(|d| (d, s.id)))
        .collect();
    timers.sort();
    timers
}

#[test]
fn aligned_timers_fire_together_and_split_the_vote() {
    for seed in 1..=10 {
        let mut sim = sim(seed);
        sim.run_for(MS);
        let before = running_deadlines(&sim);
        assert_eq!(before.len(), 5, "every follower's timer runs at the start");
        sim.align_timers();
        let after = running_deadlines(&sim);
        assert!(
            after.iter().all(|(d, _)| *d == before[0].0),
            "all fire with the earliest: {after:?}"
        );
        // All five stand in term 1 at the same instant and vote for themselves: nobody can
        // win term 1 (§5.2 split vote); a later term elects a leader.
        sim.run_until(before[0].0 + 1);
        let view = sim.view();
        assert!(view
            .servers
            .iter()
            .all(|s| s.role == Role::Candidate && s.current_term == Term(1)));
        let leader = elect(&mut sim, 5 * SECOND);
        assert!(sim.server(leader).current_term() >= Term(2), "seed {seed}");
    }
}

#[test]
fn spread_timers_let_the_first_candidate_win_alone() {
    for seed in 1..=20 {
        let mut sim = sim(seed);
        sim.run_for(MS);
        sim.align_timers(); // the worst start: everyone at once
        sim.spread_timers();
        let timers = running_deadlines(&sim);
        let gap = SimConfig::default().latency_max;
        assert!(
            timers.windows(2).all(|w| w[1].0 >= w[0].0 + gap),
            "at least one maximum latency apart: {timers:?}"
        );
        let first = timers[0].1;
        let leader = elect(&mut sim, 5 * SECOND);
        assert_eq!(leader, first, "seed {seed}: the earliest timer wins");
        assert_eq!(sim.server(leader).current_term(), Term(1), "seed {seed}");
    }
}

#[test]
fn timer_actions_need_two_running_timers_and_replay_exactly() {
    let mut solo = Sim::new(SimConfig {
        servers: 1,
        ..SimConfig::default()
    });
    let refused = solo.apply(Action::SpreadTimers).unwrap_err();
    assert_eq!(refused, ActionError::TooFewElectionTimers, "{refused}");

    let mut sim = sim(4);
    sim.run_for(50 * MS);
    sim.align_timers();
    sim.run_for(3 * SECOND);
    let view = sim.view();
    let mut replay = Sim::replay(sim.config().clone(), sim.actions().to_vec()).unwrap();
    replay.run_until(sim.now());
    assert_same(&replay.view(), &view);
}

#[test]
fn forget_future_drops_the_recorded_actions_after_now() {
    let mut sim = sim(6);
    sim.run_until(SECOND);
    sim.crash(S(1));
    sim.run_until(2 * SECOND);
    sim.crash(S(2));
    sim.run_until(3 * SECOND);
    sim.rewind_to(1_500 * MS).unwrap();
    assert!(sim.has_recorded_future());
    sim.forget_future();
    assert!(!sim.has_recorded_future());
    assert_eq!(sim.actions().len(), 1, "only the crash before now is kept");
    sim.run_until(3 * SECOND);
    assert_eq!(
        sim.status(S(2)),
        ServerStatus::Up,
        "S2's crash was forgotten"
    );
    assert_eq!(sim.status(S(1)), ServerStatus::Crashed);
}

#[test]
fn client_requests_and_replies_are_visible_while_they_travel() {
    use raft_explorer::sim::ClientTraffic;
    let mut sim = sim(8);
    let leader = elect(&mut sim, 3 * SECOND);
    assert!(sim.client_traffic().is_empty());
    let (client, seq) = sim.client_request(set("x", "5"), Some(leader));
    let traffic = sim.client_traffic();
    assert_eq!(traffic.len(), 1);
    let request = &traffic[0];
    assert_eq!(
        (request.client, request.seq, request.server),
        (client, seq, leader)
    );
    assert_eq!(request.what, ClientTraffic::Request(set("x", "5")));
    assert!(request.sent_at == sim.now() && request.arrive_at > sim.now());
    assert!(!request.doomed);
    // The request arrives, commits, and the reply travels back from the leader.
    assert!(sim.run_until_condition(sim.now() + SECOND, |s| s
        .client_traffic()
        .iter()
        .any(|t| matches!(t.what, ClientTraffic::Reply(_)))));
    let reply = sim.client_traffic().pop().unwrap();
    assert_eq!(
        (reply.client, reply.seq, reply.server),
        (client, seq, leader)
    );
    sim.run_for(SECOND);
    assert!(sim.client_traffic().is_empty());
    assert!(sim.history()[0].returned_at.is_some());

    // A request to a server that crashes on the way is marked as doomed.
    let follower = sim.server_ids().find(|&s| s != leader).unwrap();
    sim.client_request(set("y", "1"), Some(follower));
    sim.crash(follower);
    assert!(sim.client_traffic()[0].doomed);
}

#[test]
fn zero_latency_with_clients_that_never_think_is_refused_as_time_would_stand_still() {
    let load = ClientLoad {
        think_time_max: 0,
        ..ClientLoad::busy(1)
    };
    let config = SimConfig {
        load: load.clone(),
        latency_min: 0,
        latency_max: 0,
        ..SimConfig::default()
    };
    assert_eq!(
        Sim::try_new(config).unwrap_err(),
        ConfigError::Limit(LimitError::TimeStandsStill)
    );
    let mut sim = Sim::new(SimConfig {
        load,
        ..SimConfig::default()
    });
    sim.run_until(100 * MS);
    assert_eq!(
        sim.apply(Action::SetLatency { min: 0, max: 0 })
            .unwrap_err(),
        ActionError::Limit(LimitError::TimeStandsStill)
    );
    sim.run_until(200 * MS);
    assert_eq!(sim.now(), 200 * MS);
}

/// Issue 11, defect 1: seed 0, three servers; S2 crashes at 1 s and a heartbeat is sent to it
/// while it is down. It restarts before the heartbeat arrives: the heartbeat was addressed to a
/// server that was down, so it is lost (as `MessageView::doomed` said), not delivered.
#[test]
fn a_message_sent_to_a_crashed_server_is_lost_even_if_it_restarts_before_arrival() {
    let mut sim = Sim::new(SimConfig {
        seed: 0,
        servers: 3,
        ..SimConfig::default()
    });
    sim.run_until(SECOND);
    sim.crash(S(2));
    let crashed_at = sim.now();
    assert!(sim.run_until_condition(sim.now() + SECOND, |s| s
        .view()
        .messages
        .iter()
        .any(|m| m.to == S(2) && m.sent_at > crashed_at)));
    let message = sim
        .view()
        .messages
        .into_iter()
        .find(|m| m.to == S(2) && m.sent_at > crashed_at)
        .unwrap();
    assert!(message.doomed, "sent to a crashed server");
    sim.restart(S(2));
    let after_restart = sim
        .view()
        .messages
        .into_iter()
        .find(|m| m.id == message.id)
        .unwrap();
    assert!(after_restart.doomed, "a restart does not revive it");
    sim.run_until(message.deliver_at);
    let fate = sim
        .trace()
        .iter()
        .find(|e| match e.kind {
            TraceKind::Lost { id, .. } | TraceKind::Delivered { id, .. } => id == message.id,
            _ => false,
        })
        .expect("the message reached its delivery time");
    assert!(
        matches!(fate.kind, TraceKind::Lost { .. }),
        "{}",
        fate.explain()
    );
    assert!(
        fate.explain().contains("S2 was down when it was sent"),
        "{}",
        fate.explain()
    );
}

/// The same for a client request: sent to a crashed server, lost even if the server restarts
/// before it arrives (the client times out and retries, §8).
#[test]
fn a_client_request_sent_to_a_crashed_server_is_lost_even_if_it_restarts_before_arrival() {
    let mut sim = sim(3);
    let leader = elect(&mut sim, 3 * SECOND);
    sim.crash(leader);
    let (client, seq) = sim.client_request(set("x", "1"), Some(leader));
    assert!(sim.client_traffic()[0].doomed, "sent to a crashed server");
    sim.restart(leader);
    assert!(
        sim.client_traffic()[0].doomed,
        "a restart does not revive it"
    );
    let arrive_at = sim.client_traffic()[0].arrive_at;
    sim.run_until(arrive_at);
    let kinds: Vec<_> = sim
        .trace()
        .iter()
        .filter(|e| match e.kind {
            TraceKind::ClientRequestArrived {
                client: c, seq: s, ..
            }
            | TraceKind::ClientRequestLost {
                client: c, seq: s, ..
            } => (c, s) == (client, seq),
            _ => false,
        })
        .map(|e| e.kind.clone())
        .collect();
    assert!(
        matches!(kinds.as_slice(), [TraceKind::ClientRequestLost { .. }]),
        "{kinds:?}"
    );
}

#[test]
fn step_back_is_the_reverse_of_step_event_for_event() {
    let mut sim = Sim::new(SimConfig {
        seed: 5,
        load: ClientLoad::busy(2),
        checkpoint_interval: 200 * MS,
        ..SimConfig::default()
    });
    sim.run_until(1_300 * MS);
    sim.crash(S(1));
    // The states after each of 40 steps (an action among them, taken at a step's moment).
    let mut seen = Vec::new();
    for i in 0..40 {
        if i == 20 {
            sim.client_request(set("y", "1"), None);
        } else {
            sim.step().expect("a next event");
        }
        seen.push((sim.steps_processed(), sim.now(), sim.view()));
    }
    for (steps, now, view) in seen.iter().rev().skip(1) {
        assert!(sim.step_back().unwrap());
        assert_eq!((sim.steps_processed(), sim.now()), (*steps, *now));
        assert_same(&sim.view(), view);
    }
    // Forward again, the recorded action replays where it was taken.
    let (steps, now, view) = seen.last().unwrap();
    while sim.steps_processed() < *steps {
        sim.step();
    }
    assert_eq!(sim.now(), *now);
    assert_same(&sim.view(), view);
}

#[test]
fn step_back_between_events_goes_to_the_last_events_moment_and_stops_at_the_start() {
    let mut sim = sim(3);
    sim.run_until(700 * MS);
    let last = sim.trace().back().map(|e| (e.seq, e.time)).unwrap();
    assert!(last.1 < 700 * MS);
    assert!(sim.step_back().unwrap());
    assert_eq!((sim.steps_processed(), sim.now()), last);
    while sim.steps_processed() > 0 {
        assert!(sim.step_back().unwrap());
    }
    assert_eq!(sim.now(), 0);
    assert!(!sim.step_back().unwrap());
}
