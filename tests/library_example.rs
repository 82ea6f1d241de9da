use raft_explorer::check::{check_history, Checker};
use raft_explorer::raft::{Command, EntryPayload, LogEntry, Role};
use raft_explorer::sim::{Action, ActionError, AppliedLog, Sim, SimConfig};

const SECOND: u64 = 1_000_000; // simulated time is in microseconds

#[test]
fn a_leader_cut_off_in_a_minority_cannot_commit() {
    let mut sim = Sim::new(SimConfig::default()); // 5 servers, seed 1
    sim.watch(Checker::new()); // checks Figure 3 after every step, however the run is driven
    sim.watch(AppliedLog::default()); // records every entry every server applies
    sim.run_until(SECOND);
    let old = sim.leader().expect("a leader within a second");
    let committed = sim.server(old).commit_index();

    // Cut the leader and one follower off from the other three; a client writes to it.
    let others: Vec<_> = sim.server_ids().filter(|&s| s != old).collect();
    sim.partition(&[&[old, others[0]], &others[1..]]);
    sim.client_request("SET x 1".parse().unwrap(), Some(old));
    sim.run_until(5 * SECOND);
    assert_eq!(sim.server(old).role(), Role::Leader); // it still believes it leads,
    assert_eq!(sim.server(old).commit_index(), committed); // but 2 of 5 commit nothing
    let new = sim.leader().expect("the other three elected a leader");
    assert!(sim.server(new).current_term() > sim.server(old).current_term());

    // Heal, crash and restart a follower: every server applies the write the client retried.
    sim.heal();
    sim.crash(others[1]);
    sim.run_until(6 * SECOND);
    sim.restart(others[1]);
    sim.run_until(8 * SECOND);
    assert_eq!(sim.server(old).role(), Role::Follower);
    let applied = sim.observer::<AppliedLog>().unwrap();
    for server in sim.server_ids() {
        assert!(applied.of(server).any(|a| writes_x(&a.entry)), "{server}");
    }
    assert_eq!(sim.observer::<Checker>().unwrap().violation(), None);
    assert!(check_history(sim.history()).is_linearizable());

    // A refused action is an error to match on, and changes nothing.
    let refused = sim.apply(Action::Restart { server: old });
    assert!(matches!(refused, Err(ActionError::NotCrashed(s)) if s == old));
}

fn writes_x(entry: &LogEntry) -> bool {
    let set_x: Command = "SET x 1".parse().unwrap();
    matches!(&entry.payload, EntryPayload::Client { command, .. } if *command == set_x)
}
