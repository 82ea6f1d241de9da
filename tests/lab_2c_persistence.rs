//! MIT 6.824 lab 2C (persistence), Figure 8 and churn, told with our simulator. Every event
//! is checked against Figure 3 by the harness; client histories are checked for
//! linearizability.

mod lab_support;
use lab_support::*;
use raft_explorer::raft::LogIndex;
use raft_explorer::sim::{ClientLoad, SimConfig};

/// A tiny deterministic RNG for the test's own choices (the simulator has its own).
struct Xorshift(u64);
impl Xorshift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn committed_entries_survive_a_crash_of_every_server() {
    // Persistent state (currentTerm, votedFor, log) survives crashes (Figure 2); commitIndex
    // does not, but is relearned.
    let mut lab = Lab::new(3, 20);
    lab.one("SET a 11", 3);
    for s in lab.ids() {
        lab.crash(s);
    }
    for s in lab.ids() {
        lab.restart(s);
    }
    lab.one("SET b 12", 3);
    let leader1 = lab.check_one_leader();
    lab.crash(leader1);
    lab.restart(leader1);
    lab.one("SET c 13", 3);
    let leader2 = lab.check_one_leader();
    lab.crash(leader2);
    lab.one("SET d 14", 2);
    lab.restart(leader2);
    // Everything committed before is still there, at the same index, on every server.
    let index = lab.one("SET e 15", 3);
    for i in 1..=index.0 {
        assert!(lab.n_committed(LogIndex(i)).0 >= 2, "index {i} lost");
    }
    lab.assert_linearizable();
}

#[test]
fn persistence_across_repeated_follower_crashes() {
    // Lab 2C "more persistence": in each round two servers crash and come back in turns.
    let mut lab = Lab::new(5, 21);
    let mut index = 1;
    for round in 0..5 {
        lab.one(&format!("SET r {round}"), 5);
        index += 1;
        let leader = lab.check_one_leader();
        let a = S((leader.0 % 5) + 1);
        let b = S((a.0 % 5) + 1);
        lab.crash(a);
        lab.crash(b);
        lab.one(&format!("SET s {round}"), 3);
        index += 1;
        lab.restart(a);
        lab.restart(b);
    }
    lab.one("SET end 1", 5);
    assert!(lab.n_committed(LogIndex(index)).0 >= 3);
    lab.assert_linearizable();
}

fn figure8(config: SimConfig, rounds: u32) {
    // Lab 2C "Figure 8": leaders crash right after taking commands, others come and go; the
    // checker must never see an entry committed and then lost (Leader Completeness, §5.4).
    let mut lab = Lab::with_config(config);
    let mut rng = Xorshift(config_seed(&lab) ^ 0x9e37_79b9_7f4a_7c15);
    lab.one("SET f 0", 1);
    let mut up = lab.n as usize;
    for i in 0..rounds {
        // As in the lab, every server that believes it leads is handed a command.
        for s in lab.ids() {
            if lab.sim.is_up(s) && lab.sim.server(s).role() == raft_explorer::raft::Role::Leader {
                lab.start(&format!("SET f {i}"), Some(s));
            }
        }
        // Short or long pause, as in the lab.
        let pause = if rng.below(1000) < 100 {
            rng.below(500)
        } else {
            rng.below(13)
        } * MS;
        lab.run_for(pause + MS);
        if let Some(leader) = lab.sim.leader() {
            if rng.below(2) == 0 || up == lab.n as usize {
                lab.crash(leader);
                up -= 1;
            }
        }
        if up < 3 {
            let down: Vec<_> = lab
                .ids()
                .into_iter()
                .filter(|s| !lab.sim.is_up(*s))
                .collect();
            let s = down[rng.below(down.len() as u64) as usize];
            lab.restart(s);
            up += 1;
        }
    }
    for s in lab.ids() {
        if !lab.sim.is_up(s) {
            lab.restart(s);
        }
    }
    lab.one("SET f end", lab.n as usize);
    // Leaders came and went all the time, and commands still got through between crashes.
    assert!(
        lab.sim.history().len() >= 20,
        "only {} client operations",
        lab.sim.history().len()
    );
    let leader = lab.check_one_leader();
    let committed = lab.n_committed(lab.sim.server(leader).commit_index());
    assert!(
        committed.0 == lab.n as usize,
        "everyone holds the last committed entry: {committed:?}"
    );
    lab.assert_linearizable();
}

fn config_seed(lab: &Lab) -> u64 {
    lab.sim.config().seed
}

#[test]
fn figure8_reliable_never_loses_a_committed_entry() {
    figure8(
        SimConfig {
            seed: 22,
            servers: 5,
            ..SimConfig::default()
        },
        1000,
    );
}

#[test]
fn figure8_unreliable_never_loses_a_committed_entry() {
    let config = SimConfig {
        seed: 23,
        servers: 5,
        loss_probability: 0.1,
        duplicate_probability: 0.1,
        latency_min: 1_000,
        latency_max: 30_000,
        ..SimConfig::default()
    };
    figure8(config, 1000);
}

fn churn(config: SimConfig, seed: u64) {
    // Lab 2C "churn": clients keep sending while servers crash, restart, disconnect and
    // reconnect at random; afterwards the cluster must agree again.
    let mut lab = Lab::with_config(config);
    let mut rng = Xorshift(seed);
    for _ in 0..40 {
        let s = S(rng.below(lab.n as u64) as u8 + 1);
        match rng.below(6) {
            0 if !lab.sim.is_up(s) => lab.restart(s),
            0 => {}
            1 if lab.sim.is_up(s)
                && lab.ids().iter().filter(|x| lab.sim.is_up(**x)).count() > 3 =>
            {
                lab.crash(s)
            }
            2 => lab.disconnect(s),
            3 => lab.connect(s),
            _ => {}
        }
        lab.run_for(rng.below(300) * MS + MS);
    }
    for s in lab.ids() {
        if !lab.sim.is_up(s) {
            lab.restart(s);
        }
        lab.connect(s);
    }
    lab.run_for(2 * SECOND);
    lab.one("SET churn done", lab.n as usize);
    assert!(
        lab.sim.history().len() > 100,
        "the automatic clients kept working"
    );
    lab.assert_linearizable();
}

#[test]
fn reliable_churn_keeps_safety_and_recovers() {
    churn(
        SimConfig {
            seed: 24,
            servers: 5,
            load: ClientLoad::busy(3),
            ..SimConfig::default()
        },
        24,
    );
}

#[test]
fn unreliable_churn_keeps_safety_and_recovers() {
    let config = SimConfig {
        seed: 25,
        servers: 5,
        load: ClientLoad::busy(3),
        loss_probability: 0.1,
        duplicate_probability: 0.1,
        ..SimConfig::default()
    };
    churn(config, 25);
}
