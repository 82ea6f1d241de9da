//! MIT 6.824 lab 2B (log agreement), told with our simulator. Every event is checked against
//! Figure 3 by the harness; client histories are checked for linearizability.

mod lab_support;
use lab_support::*;
use raft_explorer::raft::{Command, LogIndex, RaftOptions, Role};

#[test]
fn basic_agreement_commits_each_command_at_the_next_index() {
    let mut lab = Lab::new(3, 10);
    lab.check_one_leader();
    let mut last = LogIndex(0);
    for i in 1..=3 {
        let (count, _) = lab.n_committed(LogIndex(last.0 + 1));
        assert_eq!(count, 0, "something committed before the command was sent");
        let index = lab.one(&format!("SET x {i}"), 3);
        assert_eq!(
            index,
            LogIndex(last.0 + 1),
            "commands must take consecutive indexes (§5.3)"
        );
        last = index;
    }
    lab.assert_linearizable();
}

#[test]
fn agreement_with_a_disconnected_follower_then_catch_up() {
    let mut lab = Lab::new(3, 11);
    let leader = lab.check_one_leader();
    lab.one("SET a 1", 3);
    let follower = lab.ids().into_iter().find(|s| *s != leader).unwrap();
    lab.disconnect(follower);
    // The two remaining servers are a majority of three.
    lab.one("SET b 2", 2);
    lab.run_for(SECOND);
    lab.one("SET c 3", 2);
    // Back: it catches up (§5.3: the leader backs nextIndex up and resends).
    lab.connect(follower);
    let index = lab.one("SET d 4", 3);
    assert_eq!(lab.n_committed(index).0, 3);
    lab.run_for(SECOND);
    assert!(
        lab.sim.server(follower).commit_index() >= index,
        "the returning follower caught up"
    );
}

#[test]
fn no_agreement_without_a_majority() {
    let mut lab = Lab::new(5, 12);
    lab.one("SET x 1", 5);
    let leader = lab.check_one_leader();
    let followers: Vec<_> = lab
        .ids()
        .into_iter()
        .filter(|s| *s != leader)
        .take(3)
        .collect();
    for f in &followers {
        lab.disconnect(*f);
    }
    // Two of five cannot commit (§5.3: commit needs a majority).
    lab.start("SET x 2", Some(leader));
    lab.run_for(2 * SECOND);
    let (count, _) = lab.n_committed(LogIndex(2));
    assert_eq!(count, 0, "committed without a majority");
    // Repair: the cluster goes on (possibly under a new leader) and commits again.
    for f in &followers {
        lab.connect(*f);
    }
    let index = lab.one("SET x 3", 5);
    assert!(index.0 >= 2);
    lab.assert_linearizable();
}

#[test]
fn concurrent_starts_each_commit_exactly_once() {
    let mut lab = Lab::new(3, 13);
    lab.check_one_leader();
    let sent: Vec<_> = (0..5)
        .map(|i| lab.start(&format!("SET k{i} {i}"), None))
        .collect();
    lab.run_for(3 * SECOND);
    for (client, seq) in sent {
        let index = lab
            .committed_index_of(client, seq, 3)
            .expect("every concurrent command commits");
        // Exactly once: no other index carries the same (client, seq) (§8 sessions).
        let leader = lab.check_one_leader();
        let copies = lab
            .sim
            .server(leader)
            .log()
            .entries()
            .iter()
            .filter(|e| matches!(&e.payload, raft_explorer::raft::EntryPayload::Client { client: c, seq: q, .. } if *c == client && *q == seq))
            .count();
        assert_eq!(
            copies, 1,
            "({client}, {seq}) at index {index} appears {copies} times"
        );
    }
    lab.assert_linearizable();
}

#[test]
fn rejoin_of_partitioned_leader_discards_its_uncommitted_entries() {
    let mut lab = Lab::new(3, 14);
    lab.one("SET x 101", 3);
    let leader1 = lab.check_one_leader();
    lab.disconnect(leader1);
    // The old leader accepts commands it can never commit.
    lab.start("SET x 102", Some(leader1));
    lab.start("SET x 103", Some(leader1));
    lab.run_for(200 * MS);
    // The rest elect a new leader and commit.
    lab.one("SET x 104", 2);
    let leader2 = lab.check_one_leader();
    lab.disconnect(leader2);
    // The old leader is back with the third server: its stale uncommitted entries lose to the
    // newer log (§5.4.1), and the two commit together.
    lab.connect(leader1);
    lab.one("SET x 105", 2);
    lab.connect(leader2);
    lab.one("SET x 106", 3);
    // One leader, and it is not the stale first one unless it caught up and won fairly.
    let leader = lab.check_one_leader();
    assert_eq!(lab.sim.server(leader).role(), Role::Leader);
    // Everyone's committed prefix agrees (n_committed panics otherwise).
    let top = lab.sim.servers().map(|s| s.commit_index()).min().unwrap();
    for i in 1..=top.0 {
        lab.n_committed(LogIndex(i));
    }
    lab.assert_linearizable();
}

fn backup(fast_backup: bool, seed: u64) -> u64 {
    let options = RaftOptions {
        fast_backup,
        ..RaftOptions::default()
    };
    let mut lab = Lab::with_options(5, seed, options);
    lab.one("SET start 0", 5);
    // Leader and one follower are cut off together; they take many commands they cannot
    // commit.
    let leader1 = lab.check_one_leader();
    let mates: Vec<_> = lab.ids().into_iter().filter(|s| *s != leader1).collect();
    for s in &mates[1..] {
        lab.disconnect(*s);
    }
    for i in 0..50 {
        lab.start(&format!("SET lost {i}"), Some(leader1));
    }
    lab.run_for(SECOND);
    // The other three commit many commands of their own.
    lab.disconnect(leader1);
    lab.disconnect(mates[0]);
    for s in &mates[1..] {
        lab.connect(*s);
    }
    for i in 0..50 {
        lab.start(&format!("SET kept {i}"), None);
    }
    lab.run_for(3 * SECOND);
    // Everyone back: the divergent logs must be repaired.
    let before = lab.rpcs.append_entries;
    for s in lab.ids() {
        lab.connect(s);
    }
    lab.one("SET end 1", 5);
    lab.assert_linearizable();
    lab.rpcs.append_entries - before
}

#[test]
fn divergent_logs_are_repaired_with_and_without_fast_backup() {
    let fast = backup(true, 15);
    let slow = backup(false, 15);
    eprintln!("AppendEntries to repair: fast back-up {fast}, one index at a time {slow}");
    assert!(fast > 0 && slow > 0);
    assert!(
        fast < slow,
        "conflict term/index hints skip whole terms (MIT 6.824 fast back-up)"
    );
}

#[test]
fn unreliable_network_still_agrees() {
    // Lab 2B/2C "unreliable agreement": 10% loss and 10% duplication.
    let config = raft_explorer::sim::SimConfig {
        seed: 16,
        servers: 5,
        loss_probability: 0.1,
        duplicate_probability: 0.1,
        ..Default::default()
    };
    let mut lab = Lab::with_config(config);
    for i in 0..10 {
        lab.start(&format!("SET u{i} {i}"), None);
    }
    lab.run_for(5 * SECOND);
    lab.one("SET done 1", 5);
    let leader = lab.check_one_leader();
    let committed = (1..=lab.sim.server(leader).commit_index().0)
        .filter_map(|i| lab.n_committed(LogIndex(i)).1)
        .filter(|c| matches!(c, Command::Set { key, .. } if key.starts_with('u')))
        .count();
    assert_eq!(
        committed, 10,
        "every command eventually commits despite loss and duplication"
    );
    lab.assert_linearizable();
}
