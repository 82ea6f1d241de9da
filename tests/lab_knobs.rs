//! Every "break Raft" knob must be caught: by the Figure 3 invariant checker or by the
//! linearizability check, in a targeted scenario and/or a seed search. And with the knobs off,
//! the same scenarios and a modest fuzz run are clean.

use raft_explorer::check::fuzz::{self, FuzzConfig, Nemesis};
use raft_explorer::check::{Property, Verdict};
use raft_explorer::raft::Knobs;
use raft_explorer::scenario::{self, presets, Scenario};

const KNOB_SCENARIOS: [(&str, &str); 4] = [
    (
        "forget_vote_on_restart",
        include_str!("scenarios/knob_forget_vote_on_restart.json"),
    ),
    (
        "skip_election_restriction",
        include_str!("scenarios/knob_skip_election_restriction.json"),
    ),
    (
        "stale_local_reads",
        include_str!("scenarios/knob_stale_local_reads.json"),
    ),
    (
        "install_snapshot_discards_following_entries",
        include_str!("scenarios/knob_install_snapshot_discards_following_entries.json"),
    ),
];

fn without_knobs(mut s: Scenario) -> Scenario {
    s.cluster.knobs = Knobs::default();
    // What the file expects only holds with the knob on; keep just the actions.
    s.steps
        .retain(|step| !matches!(step.action, scenario::StepAction::Expect(_)));
    s
}

#[test]
fn knob_scenarios_catch_their_bug_and_are_clean_without_it() {
    for (knob, text) in KNOB_SCENARIOS {
        let s = Scenario::from_json(text).unwrap_or_else(|e| panic!("{knob}: {e}"));
        assert!(
            s.cluster.knobs != Knobs::default(),
            "{knob}: the scenario switches its knob on"
        );
        let with = scenario::run(&s);
        assert!(with.passed(), "{knob}: {:?}", with.problems());
        assert!(
            with.violation.is_some() || with.linearizability.is_violation(),
            "{knob}: the bug went unnoticed"
        );
        let without = scenario::run(&without_knobs(s));
        assert!(
            without.violation.is_none(),
            "{knob} off: {:?}",
            without.violation
        );
        assert!(
            !without.linearizability.is_violation(),
            "{knob} off: {}",
            without.linearizability
        );
    }
}

#[test]
fn forget_vote_on_restart_breaks_election_safety() {
    let s = Scenario::from_json(KNOB_SCENARIOS[0].1).unwrap();
    let v = scenario::run(&s).violation.expect("caught");
    assert_eq!(v.property, Property::ElectionSafety);
    assert!(v.explanation.contains("leader of term 1"), "{v}");
}

#[test]
fn skip_election_restriction_breaks_leader_completeness() {
    let s = Scenario::from_json(KNOB_SCENARIOS[1].1).unwrap();
    let v = scenario::run(&s).violation.expect("caught");
    assert_eq!(v.property, Property::LeaderCompleteness);
    assert!(v.explanation.contains("SET x 1"), "{v}");
}

#[test]
fn stale_local_reads_break_linearizability_not_figure3() {
    let s = Scenario::from_json(KNOB_SCENARIOS[2].1).unwrap();
    let report = scenario::run(&s);
    assert!(
        report.violation.is_none(),
        "logs stay safe: {:?}",
        report.violation
    );
    let Verdict::NotLinearizable {
        key, explanation, ..
    } = &report.linearizability
    else {
        panic!("expected a stale read, got {}", report.linearizability)
    };
    assert_eq!(key, "x");
    assert!(
        explanation.contains("GET x") && explanation.contains("returned \"1\""),
        "{explanation}"
    );
}

#[test]
fn figure8_with_commit_by_counting_loses_a_committed_entry() {
    let (_, mut s) = presets::all()
        .into_iter()
        .find(|(id, _)| *id == "figure8")
        .expect("figure8 preset");
    assert!(scenario::run(&s).passed(), "faithful Raft passes Figure 8");
    s.cluster.knobs.commit_old_term_by_counting = true;
    let report = scenario::run(&s);
    let v = report.violation.expect("the knob is caught");
    assert_eq!(v.property, Property::LeaderCompleteness);
    assert!(v.explanation.contains("SET x 2"), "{v}");
}

/// The first seed (of `seeds`) whose fuzz run fails with `knobs`, 10 s runs.
fn seed_search(knobs: Knobs, nemesis: Nemesis, seeds: u64) -> Option<fuzz::FuzzOutcome> {
    seed_search_with(knobs, nemesis, seeds, 5, 10_000_000)
}

fn seed_search_with(
    knobs: Knobs,
    nemesis: Nemesis,
    seeds: u64,
    servers: u8,
    duration: u64,
) -> Option<fuzz::FuzzOutcome> {
    (0..seeds)
        .map(|seed| {
            fuzz::run_seed(&FuzzConfig {
                nemesis,
                servers,
                knobs: knobs.clone(),
                ..FuzzConfig::new(seed, duration)
            })
        })
        .find(|o| o.failed())
}

#[test]
fn seed_search_catches_forget_vote_on_restart_in_a_three_server_cluster() {
    // A double vote needs a candidate that reaches the term late, after the voter restarted:
    // three servers under crash faults make that happen within about a hundred seeds.
    let knobs = Knobs {
        forget_vote_on_restart: true,
        ..Knobs::default()
    };
    let found = seed_search_with(knobs, Nemesis::Crash, 150, 3, 30_000_000)
        .expect("caught within 150 seeds");
    let v = found
        .violation
        .expect("an invariant violation, not a history problem");
    assert_eq!(v.property, Property::ElectionSafety, "{v}");
}

#[test]
fn aimed_nemesis_catches_forget_vote_on_restart_at_five_servers() {
    // Every voter of a candidate restarts right after voting while a rival stands in the
    // same term: a voter that forgot its vote grants it twice (§5.2).
    let knobs = Knobs {
        forget_vote_on_restart: true,
        ..Knobs::default()
    };
    let found = seed_search(knobs, Nemesis::All, 20).expect("caught within 20 seeds");
    let v = found.violation.expect("an invariant violation");
    assert_eq!(v.property, Property::ElectionSafety, "{v}");
}

#[test]
fn aimed_nemesis_catches_commit_old_term_by_counting_at_five_servers() {
    // Figure 8's pattern: the old-term entry counted committed is overwritten (§5.4.2).
    let knobs = Knobs {
        commit_old_term_by_counting: true,
        ..Knobs::default()
    };
    let found = seed_search(knobs, Nemesis::All, 20).expect("caught within 20 seeds");
    let v = found.violation.expect("an invariant violation");
    assert!(
        matches!(
            v.property,
            Property::LeaderCompleteness | Property::StateMachineSafety
        ),
        "{v}"
    );
}

#[test]
fn seed_search_catches_skip_election_restriction() {
    let knobs = Knobs {
        skip_election_restriction: true,
        ..Knobs::default()
    };
    let found = seed_search(knobs, Nemesis::All, 20).expect("caught within 20 seeds");
    assert!(found.violation.is_some(), "{:?}", found.problem());
}

#[test]
fn seed_search_catches_stale_local_reads() {
    let knobs = Knobs {
        stale_local_reads: true,
        ..Knobs::default()
    };
    let found = seed_search(knobs, Nemesis::All, 20).expect("caught within 20 seeds");
    assert!(
        found.linearizability.is_violation(),
        "{:?}",
        found.problem()
    );
}

#[test]
fn shrinking_keeps_the_failure_and_drops_most_faults() {
    let knobs = Knobs {
        skip_election_restriction: true,
        ..Knobs::default()
    };
    let found = seed_search(knobs.clone(), Nemesis::All, 20).expect("a failing seed");
    let config = FuzzConfig {
        knobs,
        ..FuzzConfig::new(found.seed, 10_000_000)
    };
    // The actions as run (random and aimed) replay the failure.
    let schedule = found.schedule.clone();
    let (small, shrunk) = fuzz::shrink(&config, &schedule, 40);
    assert!(
        fuzz::run_schedule(&small, &shrunk).failed(),
        "the shrunk run still fails"
    );
    assert!(shrunk.len() <= schedule.len());
    assert!(small.duration <= config.duration);
    let trace = fuzz::narrate(&small, &shrunk);
    assert!(
        trace
            .last()
            .is_some_and(|l| l.text.starts_with("VIOLATION")),
        "the narrated trace ends at the violation"
    );
}

#[test]
fn clean_fuzz_run_finds_no_violation() {
    // 30 seeds × 10 s of crashes, partitions, loss, duplication, pauses with client load.
    for seed in 0..30 {
        let outcome = fuzz::run_seed(&FuzzConfig::new(1000 + seed, 10_000_000));
        assert!(
            !outcome.failed(),
            "seed {}: {}",
            1000 + seed,
            outcome.problem().unwrap_or_default()
        );
        assert!(
            outcome.operations > 50,
            "seed {}: the clients made progress",
            1000 + seed
        );
    }
}

#[test]
fn schedules_are_deterministic_per_seed() {
    let config = FuzzConfig::new(7, 10_000_000);
    assert_eq!(fuzz::schedule(&config), fuzz::schedule(&config));
    assert_ne!(
        fuzz::schedule(&config),
        fuzz::schedule(&FuzzConfig::new(8, 10_000_000))
    );
    let a = fuzz::run_seed(&config);
    let b = fuzz::run_seed(&config);
    assert_eq!((a.events, a.operations), (b.events, b.operations));
}
