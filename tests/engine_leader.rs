//! One definition of "the leader", shared by the simulator and its views: of the servers that
//! believe they lead and are not crashed, the one with the highest term. A paused leader still
//! counts (it is slow, not failed: it keeps its state and its belief, §5.1).

use raft_explorer::raft::{Role, ServerId};
use raft_explorer::sim::{Sim, SimConfig};

const SECOND: u64 = 1_000_000;

fn elect(sim: &mut Sim) -> ServerId {
    let deadline = sim.now() + 5 * SECOND;
    assert!(
        sim.run_until_condition(deadline, |s| s.leader().is_some()),
        "no leader by {deadline} µs"
    );
    sim.leader().unwrap()
}

fn view_leader(sim: &Sim) -> Option<ServerId> {
    sim.view().leader().map(|s| s.id)
}

#[test]
fn a_paused_leader_is_still_the_leader_for_the_simulator_and_its_view() {
    let mut sim = Sim::new(SimConfig {
        seed: 3,
        ..SimConfig::default()
    });
    let first = elect(&mut sim);
    assert_eq!(view_leader(&sim), Some(first));

    sim.pause(first);
    assert_eq!(sim.leader(), Some(first), "pausing does not end leadership");
    assert_eq!(view_leader(&sim), Some(first));

    // The others time out and elect a leader of a higher term: it is the leader now, while
    // the paused one still believes it leads in its old term.
    let deadline = sim.now() + 10 * SECOND;
    assert!(sim.run_until_condition(deadline, |s| s.leader().is_some_and(|l| l != first)));
    let second = sim.leader().unwrap();
    assert_eq!(view_leader(&sim), Some(second));
    let view = sim.view();
    assert_eq!(view.leaders().count(), 2, "both believe they lead");
    assert_eq!(view.server(first).unwrap().role, Role::Leader);

    // Crashed, the new leader no longer counts; the paused one is what is left.
    sim.crash(second);
    assert_eq!(sim.leader(), Some(first));
    assert_eq!(view_leader(&sim), Some(first));
}
