//! Randomised fault schedules against the core's safety, checked after every event with the
//! cheap borrowed accessors (the way a fuzz checker would use the simulator).

use raft_explorer::raft::{LogIndex, RaftOptions, Role, ServerId, Term};
use raft_explorer::sim::{Action, ClientLoad, Sim, SimConfig};
use std::collections::BTreeMap;

const MS: u64 = 1_000;

/// Incremental checks: Election Safety, State Machine Safety (committed entries never change),
/// Leader Completeness (a new leader holds every committed entry).
#[derive(Default)]
struct Watch {
    leader_of_term: BTreeMap<Term, ServerId>,
    /// Term of the entry committed at each index (index 1 at position 0).
    committed: Vec<Term>,
    checked_commit: BTreeMap<ServerId, u64>,
    was_leader: BTreeMap<ServerId, Term>,
}

impl Watch {
    fn observe(&mut self, sim: &Sim) -> Result<(), String> {
        let Some(id) = sim.last_touched() else {
            return Ok(());
        };
        let server = sim.server(id);
        let term = server.current_term();
        if server.role() == Role::Leader {
            if let Some(other) = self.leader_of_term.insert(term, id) {
                if other != id {
                    return Err(format!(
                        "election safety: {other} and {id} both lead term {term}"
                    ));
                }
            }
            if self.was_leader.get(&id) != Some(&term) {
                self.was_leader.insert(id, term);
                for (i, t) in self.committed.iter().enumerate() {
                    let index = LogIndex(i as u64 + 1);
                    if server.log().term_at(index) != Some(*t) {
                        return Err(format!("leader completeness: new leader {id} of term {term} lacks committed index {index}"));
                    }
                }
            }
        }
        let commit = server.commit_index().0;
        let from = self
            .checked_commit
            .get(&id)
            .copied()
            .unwrap_or(0)
            .min(commit);
        for index in from + 1..=commit {
            let entry_term = server
                .log()
                .term_at(LogIndex(index))
                .ok_or("commit index past log end")?;
            match self.committed.get(index as usize - 1) {
                Some(t) if *t != entry_term => {
                    return Err(format!(
                        "state machine safety: {id} committed term {entry_term} at index {index}, another server term {t}"
                    ))
                }
                Some(_) => {}
                None => {
                    if self.committed.len() + 1 != index as usize {
                        return Err(format!("{id} committed index {index} beyond known commits"));
                    }
                    self.committed.push(entry_term);
                }
            }
        }
        self.checked_commit.insert(id, commit);
        Ok(())
    }
}

/// A random but reproducible fault schedule driven by its own small generator.
fn chaos_run(seed: u64, raft: RaftOptions, duration: u64) -> Result<u64, String> {
    let mut sim = Sim::new(SimConfig {
        seed,
        loss_probability: 0.02,
        duplicate_probability: 0.05,
        latency_max: 40 * MS,
        load: ClientLoad::busy(3),
        raft,
        trace_capacity: 0,
        checkpoint_interval: 0,
        ..SimConfig::default()
    });
    let mut watch = Watch::default();
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut at = 0;
    while at < duration {
        at += 100 * MS + next() % (400 * MS);
        let server = ServerId((next() % 5) as u8 + 1);
        let action = match next() % 8 {
            0 => Action::Crash { server },
            1 => Action::Restart { server },
            2 => Action::Timeout { server },
            3 => {
                let cut = (next() % 4) as usize + 1;
                let mut ids: Vec<ServerId> = (1..=5).map(ServerId).collect();
                ids.rotate_left((next() % 5) as usize);
                Action::Partition {
                    groups: vec![ids[..cut].to_vec(), ids[cut..].to_vec()],
                }
            }
            4 | 5 => Action::Heal,
            6 => Action::Pause { server },
            _ => Action::Resume { server },
        };
        while sim.step_until(at).is_some() {
            watch
                .observe(&sim)
                .map_err(|e| format!("seed {seed} at {} µs: {e}", sim.now()))?;
        }
        sim.run_until(at);
        let _ = sim.apply(action); // refused actions (restart of a running server...) are fine
        watch
            .observe(&sim)
            .map_err(|e| format!("seed {seed} at {} µs: {e}", sim.now()))?;
    }
    Ok(sim.events_processed())
}

#[test]
fn safety_holds_under_random_crashes_partitions_pauses_loss_and_duplication() {
    let mut events = 0;
    for seed in 1..=12 {
        events +=
            chaos_run(seed, RaftOptions::default(), 20_000 * MS).unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(events > 40_000, "{events}");
}

#[test]
fn safety_holds_without_fast_backup_and_with_noop_on_election() {
    for seed in 1..=4 {
        let options = RaftOptions {
            fast_backup: false,
            noop_on_election: true,
            ..RaftOptions::default()
        };
        chaos_run(seed, options, 20_000 * MS).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn knob_skip_election_restriction_is_caught_by_the_checks() {
    let mut options = RaftOptions::default();
    options.knobs.skip_election_restriction = true;
    let caught = (1..=30).find_map(|seed| chaos_run(seed, options.clone(), 20_000 * MS).err());
    assert!(caught.is_some(), "some seed should lose a committed entry");
}
