//! The incremental checker (borrowed servers, only the touched one re-examined) must see
//! exactly what a checker fed a full `ClusterView` after every event sees, and never later than
//! the one-shot checks of a single instant.

use raft_explorer::check::fuzz::{self, FuzzConfig};
use raft_explorer::check::{check_view, Checker};
use raft_explorer::raft::Knobs;
use raft_explorer::sim::Sim;

/// Runs seed `seed` with `knobs` for `duration` µs; returns the event sequence numbers at
/// which (incremental, full-view, one-shot) first found something.
fn compare(seed: u64, knobs: Knobs, duration: u64) -> (Option<u64>, Option<u64>, Option<u64>) {
    let config = FuzzConfig {
        knobs,
        ..FuzzConfig::new(seed, duration)
    };
    let schedule = fuzz::schedule(&config);
    let mut sim = Sim::new(config.sim_config());
    let mut incremental = Checker::new();
    let mut full = Checker::new();
    let (mut first_inc, mut first_full, mut first_shot) = (None, None, None);
    let mut actions = schedule.iter().peekable();
    loop {
        let next_action = actions.peek().map(|(t, _)| *t).unwrap_or(duration);
        let stepped = sim.step_until(next_action.min(duration)).is_some();
        if !stepped {
            match actions.next() {
                Some((t, action)) if *t <= duration => {
                    sim.run_until(*t);
                    if sim.apply(action.clone()).is_err() {
                        continue;
                    }
                }
                _ => break,
            }
        }
        let seq = sim.last_event().seq;
        if incremental.observe_sim(&sim).is_some() && first_inc.is_none() {
            first_inc = Some(seq);
        }
        let view = sim.view();
        if full.observe_view(&view, Some(seq)).is_some() && first_full.is_none() {
            first_full = Some(seq);
        }
        if first_shot.is_none() && check_view(&view).is_err() {
            first_shot = Some(seq);
        }
        if first_inc.is_some() && first_full.is_some() && first_shot.is_some() {
            break;
        }
    }
    (first_inc, first_full, first_shot)
}

#[test]
fn clean_runs_are_clean_for_every_checker() {
    for seed in 0..3 {
        assert_eq!(
            compare(seed, Knobs::default(), 4_000_000),
            (None, None, None),
            "seed {seed}"
        );
    }
}

#[test]
fn incremental_checker_finds_what_full_views_find_at_the_same_event() {
    let knobs = Knobs {
        skip_election_restriction: true,
        ..Knobs::default()
    };
    let mut caught = 0;
    for seed in 0..6 {
        let (inc, full, shot) = compare(seed, knobs.clone(), 8_000_000);
        assert_eq!(
            inc, full,
            "seed {seed}: incremental and full-view checkers disagree"
        );
        if let Some(shot) = shot {
            assert!(
                inc.is_some_and(|i| i <= shot),
                "seed {seed}: the one-shot check saw it first ({inc:?} vs {shot})"
            );
        }
        caught += inc.is_some() as u32;
    }
    assert!(caught > 0, "the knob was caught at least once");
}
