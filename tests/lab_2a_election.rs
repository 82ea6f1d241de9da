//! MIT 6.824 lab 2A (leader election), told with our simulator. Every event is checked
//! against Figure 3 by the harness.

mod lab_support;
use lab_support::*;

#[test]
fn initial_election_elects_one_leader_and_keeps_it() {
    let mut lab = Lab::new(3, 1);
    lab.check_one_leader();
    let term1 = lab.check_terms();
    assert!(term1.0 >= 1, "a leader implies term ≥ 1");
    // Without failures the term stays the same (heartbeats suppress elections, §5.2).
    lab.run_for(2 * SECOND);
    assert_eq!(lab.check_terms(), term1, "term changed with no failures");
    lab.check_one_leader();
}

#[test]
fn re_election_after_leader_disconnect() {
    let mut lab = Lab::new(3, 2);
    let leader1 = lab.check_one_leader();
    // The leader is cut off: the other two elect a new one (§5.2).
    lab.disconnect(leader1);
    let leader2 = lab.check_one_leader();
    assert_ne!(leader1, leader2);
    // The old leader returns: it must not disturb the new one (it steps down on seeing the
    // higher term, §5.1).
    lab.connect(leader1);
    let leader3 = lab.check_one_leader();
    // No quorum, no leader.
    lab.disconnect(leader3);
    let other = lab
        .ids()
        .into_iter()
        .find(|s| *s != leader3 && !lab.disconnected.contains(s))
        .unwrap();
    lab.disconnect(other);
    lab.run_for(2 * SECOND);
    lab.check_no_leader();
    // A quorum again: a leader again.
    lab.connect(other);
    lab.check_one_leader();
    lab.connect(leader3);
    lab.check_one_leader();
}

#[test]
fn many_elections_under_churn_keep_one_leader_per_term() {
    let mut lab = Lab::new(7, 3);
    lab.check_one_leader();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..10 {
        // Disconnect three random servers: four remain, a majority of seven.
        for _ in 0..3 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            lab.disconnect(S((rng % 7) as u8 + 1));
        }
        // Either there is a majority and it elects a leader, or there is none.
        if lab.connected_up().len() >= 4 {
            lab.check_one_leader();
        } else {
            lab.run_for(SECOND);
        }
        for s in lab.ids() {
            lab.connect(s);
        }
    }
    lab.check_one_leader();
}

#[test]
fn split_votes_resolve_by_randomized_timeouts() {
    // Everyone times out at once: votes split, yet randomized timeouts soon elect one (§5.2).
    let mut lab = Lab::new(5, 4);
    for s in lab.ids() {
        lab.apply(raft_explorer::sim::Action::Timeout { server: s });
    }
    lab.check_one_leader();
}

#[test]
fn election_and_agreement_need_few_rpcs() {
    // Lab 2B "RPC counts aren't too high": an election takes a handful of RequestVotes, and
    // agreement on 10 commands takes far fewer AppendEntries than, say, 10 per command per
    // follower.
    let mut lab = Lab::new(3, 5);
    lab.check_one_leader();
    let election = lab.rpcs;
    assert!(
        election.request_votes <= 30,
        "too many RequestVotes for one election: {election:?}"
    );
    let before = lab.rpcs;
    let t0 = lab.sim.now();
    for i in 0..10 {
        lab.one(&format!("SET k {i}"), 3);
    }
    let elapsed_heartbeats = (lab.sim.now() - t0) / (50 * MS) + 1;
    let appends = lab.rpcs.append_entries - before.append_entries;
    // Each command needs one AppendEntries per follower (2), heartbeats add 2 per interval.
    assert!(
        appends <= 10 * 2 * 3 + 2 * elapsed_heartbeats,
        "{appends} AppendEntries for 10 commands in {elapsed_heartbeats} heartbeat intervals"
    );
    // Idle: only heartbeats (2 followers × 20 per second), no more.
    let idle_before = lab.rpcs.total();
    lab.run_for(SECOND);
    let idle = lab.rpcs.total() - idle_before;
    assert!(idle <= 2 * 2 * 21, "{idle} RPCs in one idle second");
}
